
import datetime as dt

import pytest
from django.utils import timezone

from changes import services
from lifecycle import services as lifecycle_services
from tests.factories import ProductFactory

TODAY = timezone.localdate


@pytest.fixture
def launched(owner):
    """A credit card on sale (operation) whose terms are version 1."""
    product = ProductFactory(owner=owner, category="credit_card", risk_rating="R3", stage="operation",
                             interest_rate=None, fee="100.00", sales_channels=["branch", "mobile_banking"],
                             features=["积分兑换"])
    product.refresh_from_db()
    services.terms_version_initial_ensure(product=product)
    return product


def pilot_plan(**overrides):
    """The pilot a change states for approval: any region, segment and channel, from a month ago for three
    months, customer satisfaction at least 80."""
    plan = {"regions": [], "segments": [], "channels": [], "start": TODAY() - dt.timedelta(days=30),
            "end": TODAY() + dt.timedelta(days=60), "criteria": [{"metric": "csat", "op": ">=", "value": 80}]}
    plan.update(overrides)
    return plan


def change_data(**overrides):
    data = {"summary": "年费下调", "reason": "competitor", "terms": {"fee": "80"}, "requirements": [],
            "pilot": False, "effective_from": None}
    if overrides.get("pilot"):
        data["pilot_plan"] = pilot_plan()
    data.update(overrides)
    return data


def approve_all(review, reviewers):
    """Approve every step of the review in policy order (senior management last)."""
    for step in review.steps.order_by("position", "id"):
        lifecycle_services.approval_step_decide(review=review, department=step.department,
                                                user=reviewers[step.department], decision="approve", comment="同意")


def approved_change(product, reviewers, approved_days_ago=30, **overrides):
    """A change approved through the engine; a pilot change's approval is dated `approved_days_ago` back, so that
    its pilot may run over observations already stored."""
    from changes.models import Change

    change = services.change_create(user=product.owner, product=product, data=change_data(**overrides))
    change = services.change_submit(user=product.owner, change=change)
    approve_all(change.review, reviewers)
    if change.pilot:
        Change.objects.filter(pk=change.pk).update(
            decided_at=timezone.now() - dt.timedelta(days=approved_days_ago))
    change.refresh_from_db()
    return change
