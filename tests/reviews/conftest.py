import datetime as dt

import pytest
from django.utils import timezone

from approvals.choices import GateReviewStatus
from approvals.models import GateReview
from reviews import services
from tests.factories import ProductFactory, UserFactory, reviewer_for

PRICE_VALUE = {"price_paid": "年费 100 元", "value_received": "积分与保险", "comparison": "低于同业",
               "conclusion": "价格合理"}


@pytest.fixture
def reviewers(db):
    return {code: reviewer_for(code) for code in ("risk", "compliance", "finance", "legal", "senior_management")}


@pytest.fixture
def owner(db):
    return UserFactory(username="owner_pm", role="product_manager", departments=["product"])


@pytest.fixture
def head(db):
    return UserFactory(username="head_p", role="head_of_product", departments=["product"])


def operating(owner, *, rating="R3", category="credit_card", launched_days_ago=400, **fields):
    """A product in operation launched `launched_days_ago` days ago (its creation stands for the launch)."""
    product = ProductFactory(owner=owner, stage="operation", risk_rating=rating, category=category,
                             interest_rate=None, fee="100.00", **fields)
    type(product).objects.filter(pk=product.pk).update(
        created_at=timezone.now() - dt.timedelta(days=launched_days_ago))
    product.refresh_from_db()
    return product


@pytest.fixture
def product(owner):
    return operating(owner)


def opened(product, *, due_in=20):
    """A review opened by the system, due in `due_in` days."""
    from django.db import transaction

    from reviews.choices import ReviewTrigger

    with transaction.atomic():
        return services._open(product=type(product).objects.select_for_update().get(pk=product.pk),
                              trigger=ReviewTrigger.SCHEDULED,
                              due_date=timezone.localdate() + dt.timedelta(days=due_in))


def submitted(review, user=None):
    user = user or review.product.owner
    review = services.review_prepare(user=user, review=review, data=PRICE_VALUE)
    return services.review_submit(user=user, review=review)


def decide_all(review, reviewers, outcome="keep", conditions=None):
    """Approve every step of the review's engine review with `outcome`; the first step carries `conditions`."""
    from approvals import services as engine

    gate = review.gate_review
    first = True
    for step in gate.steps.order_by("position", "id"):
        gate.refresh_from_db()
        if gate.status != GateReviewStatus.PENDING:
            break
        engine.approval_step_decide(review=gate, department=step.department, user=reviewers[step.department],
                                    decision="approve", comment="同意", outcome=outcome,
                                    conditions=conditions if first else None)
        first = False
    review.refresh_from_db()
    return review


def pending_gate(product):
    return GateReview.objects.filter(product=product, process="periodic_review", status="pending").first()
