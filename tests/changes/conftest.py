
import pytest
from django.utils import timezone

from changes import services
from lifecycle import services as lifecycle_services
from tests.factories import ProductFactory, UserFactory, reviewer_for

TODAY = timezone.localdate


@pytest.fixture
def reviewers(db):
    codes = ["risk", "compliance", "finance", "legal", "technology", "senior_management"]
    return {code: reviewer_for(code) for code in codes}


@pytest.fixture
def owner(db):
    return UserFactory(username="owner_pm", role="product_manager", departments=["product"])


@pytest.fixture
def launched(owner):
    """A credit card on sale (operation) whose terms are version 1."""
    product = ProductFactory(owner=owner, category="credit_card", risk_rating="R3", stage="operation",
                             interest_rate=None, fee="100.00", sales_channels=["branch", "mobile_banking"],
                             features=["积分兑换"])
    product.refresh_from_db()
    services.terms_version_initial_ensure(product=product)
    return product


def change_data(**overrides):
    data = {"summary": "年费下调", "reason": "competitor", "terms": {"fee": "80"}, "requirements": [],
            "pilot": False, "effective_from": None}
    data.update(overrides)
    return data


def approve_all(review, reviewers):
    """Approve every step of the review in policy order (senior management last)."""
    for step in review.steps.order_by("position", "id"):
        lifecycle_services.approval_step_decide(review=review, department=step.department,
                                                user=reviewers[step.department], decision="approve", comment="同意")


def approved_change(product, reviewers, **overrides):
    change = services.change_create(user=product.owner, product=product, data=change_data(**overrides))
    change = services.change_submit(user=product.owner, change=change)
    approve_all(change.review, reviewers)
    change.refresh_from_db()
    return change
