"""Domain events become outbox rows in their own transaction, on the services' paths."""
import pytest
from django.core.exceptions import ValidationError

from approvals import services as approval_services
from kpis import services as kpis
from lifecycle import services as lifecycle
from tests.factories import ProductFactory, complete_deliverables, observe, reviewer_for, target
from webhooks.choices import EventType
from webhooks.events import AUDITED_EVENTS
from webhooks.models import Delivery, Event, Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def everything(admin):
    """A subscription to every event type (saved directly: no target is called in these tests)."""
    return Subscription.objects.create(owner=admin, name="all", target_url="https://hooks.bank.example/",
                                       events=EventType.values)


def test_every_declared_event_type_is_published_by_some_path():
    assert set(EventType.values) == {t.value for t, _detail in AUDITED_EVENTS.values()} | {"kpi_alert.opened"}


def test_a_decided_review_and_the_stage_change_are_events_with_a_delivery_each(everything):
    product = ProductFactory(category="deposit", risk_rating="R1")
    complete_deliverables(product)
    review = lifecycle.gate_review_submit(product=product, user=product.owner)
    for step in review.steps.order_by("id"):
        approval_services.approval_step_decide(review=review, user=reviewer_for(step.department), decision="approve",
                                       department=step.department, comment="同意")
    types = list(Event.objects.order_by("occurred_at").values_list("type", flat=True))
    assert types == ["review.submitted", "review.decided", "product.stage_changed"]
    decided = Event.objects.get(type="review.decided")
    assert (decided.data["detail"], decided.data["object_id"]) == ("approved", str(review.pk))
    assert Delivery.objects.filter(subscription=everything, status="pending").count() == 3


def test_an_opened_kpi_alert_is_an_event_with_figures_as_decimal_strings(everything, pm):
    product = ProductFactory(code="LN-W", owner=pm, category="loan")
    observe(product, "default_rate", "2026-10-10", 2.5)
    target(product, "default_rate", "2026-10-01", 1.5, 1.8, 2.0)
    kpis.kpi_snapshots_compute(period="2026-10", granularity="month")
    event = Event.objects.get(type="kpi_alert.opened")
    assert (event.data["metric"], event.data["value"], event.data["critical_threshold"]) == (
        "default_rate", "2.50", "2.00")


def test_a_refused_action_publishes_nothing(everything):
    product = ProductFactory()
    with pytest.raises(ValidationError):
        lifecycle.gate_review_submit(product=product, user=product.owner)  # deliverables open
    assert not Event.objects.exists() and not Delivery.objects.exists()


def test_an_approval_with_a_condition_publishes_condition_opened(everything):
    import datetime as dt

    product = ProductFactory(category="deposit", risk_rating="R1")
    complete_deliverables(product)
    review = lifecycle.gate_review_submit(product=product, user=product.owner)
    step = review.steps.order_by("id").first()
    due = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    approval_services.approval_step_decide(review=review, user=reviewer_for(step.department), decision="approve",
                                   department=step.department, comment="同意，附条件",
                                   conditions=[{"action": "补充压力测试", "owner": product.owner.pk, "due": due}])
    opened = Event.objects.get(type="condition.opened")
    assert opened.data["object_id"] == str(product.conditions.get().pk)
