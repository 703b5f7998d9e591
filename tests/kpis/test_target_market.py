"""Target-market monitoring: sales into an excluded segment or through an unapproved channel open one alert."""
import pytest

from kpis import services
from kpis.choices import AlertKind
from kpis.models import Alert
from notifications.models import Notification
from tests.factories import ProductFactory, reviewer_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(pm):
    product = ProductFactory(code="WM-T", owner=pm, stage="operation", customer_segment="affluent",
                             sales_channels=["branch", "mobile_banking"])
    product.excluded_segments = ["senior"]
    product.save()
    return product


def sell(user, day="2026-10-05", **dims):
    services.observations_ingest(user=user, items=[
        {"product": "WM-T", "metric": "new_customers", "date": day, "value": 3, **dims}])


def test_a_sale_into_an_excluded_segment_opens_exactly_one_alert(pm, product):
    compliance, risk = reviewer_for("compliance"), reviewer_for("risk")
    sell(pm, segment="senior", channel="branch")
    sell(pm, segment="senior", channel="branch")  # the same breach again: still one alert
    alert = Alert.objects.get()
    assert (alert.kind, alert.dimension, alert.member, alert.value) == (AlertKind.TARGET_MARKET, "segment",
                                                                        "senior", 3)
    notified = set(Notification.objects.values_list("recipient__username", flat=True))
    assert notified == {pm.username, compliance.username, risk.username}


def test_a_sale_through_an_unapproved_channel_opens_an_alert_for_that_channel(pm, product):
    sell(pm, segment="affluent", channel="partner")
    assert list(Alert.objects.values_list("dimension", "member")) == [("channel", "partner")]


def test_a_resolved_alert_is_not_opened_again_by_later_sales_inside_the_market(pm, product):
    """An ingestion checks the days it wrote: the old breach, already handled, does not come back."""
    sell(pm, segment="senior", channel="branch")
    Alert.objects.update(status="resolved")
    sell(pm, day="2026-10-06", segment="affluent", channel="branch")
    assert list(Alert.objects.values_list("status", flat=True)) == ["resolved"]
    sell(pm, day="2026-10-07", segment="senior", channel="branch")  # a new breach opens a new one
    assert sorted(Alert.objects.values_list("status", flat=True)) == ["open", "resolved"]


def test_a_batch_inside_the_market_does_not_reopen_a_handled_alert_of_the_same_day(pm, product):
    sell(pm, segment="senior", channel="branch")
    Alert.objects.update(status="resolved")
    sell(pm, segment="affluent", channel="branch")  # the same day, inside the market
    assert list(Alert.objects.values_list("status", flat=True)) == ["resolved"]


def test_figures_of_a_metric_that_is_no_sale_through_an_unapproved_channel_open_no_alert(pm, product):
    services.observations_ingest(user=pm, items=[
        {"product": "WM-T", "metric": "revenue", "date": "2026-10-05", "value": 3, "channel": "partner"}])
    assert not Alert.objects.exists()


def test_sales_inside_the_target_market_open_no_alert(pm, product):
    sell(pm, segment="affluent", channel="mobile_banking")
    assert not Alert.objects.exists()


def test_the_alert_is_shown_on_the_product_page(client, pm, product):
    sell(pm, segment="senior", channel="branch")
    client.force_login(pm)
    page = client.get(f"/products/{product.pk}/").content.decode()
    assert 'id="market-alerts"' in page and "老年客群" in page


def test_compliance_may_handle_a_target_market_alert(pm, product):
    sell(pm, segment="senior", channel="branch")
    alert = Alert.objects.get()
    assert services.alert_can_handle(user=reviewer_for("compliance"), alert=alert)
    assert not services.alert_can_handle(user=reviewer_for("finance"), alert=alert)
