import pytest
from django.db import connections

from lifecycle import services
from tests.factories import ProductFactory, UserFactory, complete_deliverables, lifecycle_defaults, reviewer_for


@pytest.fixture(autouse=True)
def _lifecycle_defaults(request):
    if "db" in request.fixturenames or "transactional_db" in request.fixturenames or request.node.get_closest_marker(
            "django_db"):
        lifecycle_defaults()


@pytest.fixture(scope="module")
def restore_seed_rows(django_db_blocker):
    """After a module of transactional tests, put back the seed rows their flushes removed, for later tests."""
    yield
    with django_db_blocker.unblock():
        lifecycle_defaults()
        # This runs outside any test; leave no session open that would block dropping the test database.
        connections.close_all()


@pytest.fixture
def reviewers(db):
    """One reviewer per reviewing department, keyed by department code."""
    codes = ["risk", "compliance", "finance", "legal", "technology", "senior_management"]
    return {code: reviewer_for(code) for code in codes}


@pytest.fixture
def owner(db):
    return UserFactory(username="owner_pm", role="product_manager", departments=["product"])


@pytest.fixture
def product(owner):
    return ProductFactory(owner=owner, category="credit_card", risk_rating="R3")


@pytest.fixture
def submitted(product, owner, reviewers):
    """A development -> marketing review of a credit card (risk, compliance, finance, technology, senior)."""
    advance_to(product, "development", reviewers)
    complete_deliverables(product)
    return services.gate_review_submit(product=product, user=owner)


def approve_all(review, reviewers):
    """Approve every step of the review in policy order (senior management last)."""
    for step in review.steps.order_by("position", "id"):
        services.approval_step_decide(review=review, department=step.department, user=reviewers[step.department],
                                      decision="approve", comment="同意")


def advance_to(product, stage, reviewers):
    """Walk the product through approved gates until it reaches `stage`."""
    while product.stage != stage:
        complete_deliverables(product)
        review = services.gate_review_submit(product=product, user=product.owner)
        approve_all(review, reviewers)
        product.refresh_from_db()
    return product
