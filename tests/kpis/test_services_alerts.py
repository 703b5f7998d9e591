"""Early warnings: one alert per product and metric, notifications, acknowledge, resolve, auto-resolve."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import AuditEntry
from kpis import services
from kpis.models import Alert
from notifications.models import Notification
from tests.factories import ProductFactory, UserFactory, live_products, metric, observe, target
from tests.helpers import assert_unchanged, login

pytestmark = pytest.mark.django_db


def compute(period):
    return services.kpi_snapshots_compute(period=period, granularity="month")


@pytest.fixture
def product(pm):
    return ProductFactory(code="LN-T", owner=pm, category="loan")


def red_default_rate(product, month):
    observe(product, "default_rate", f"{month}-10", 2.5)
    target(product, "default_rate", f"{month}-01", 1.5, 1.8, 2.0)


def green_default_rate(product, month):
    observe(product, "default_rate", f"{month}-10", 1.2)
    target(product, "default_rate", f"{month}-01", 1.5, 1.8, 2.0)


def test_red_snapshot_opens_one_alert_and_reruns_do_not_open_another(product):
    red_default_rate(product, "2026-10")
    assert compute("2026-10").alerts_opened == 1
    assert compute("2026-10").alerts_opened == 0
    alert = Alert.objects.get()
    assert (alert.status, alert.period, alert.value, alert.critical_threshold) == ("open", "2026-10", 2.5, 2.0)


def test_metric_staying_red_next_month_keeps_the_same_alert(product):
    red_default_rate(product, "2026-10")
    red_default_rate(product, "2026-11")
    compute("2026-10")
    compute("2026-11")
    assert Alert.objects.count() == 1


def test_alert_on_a_risk_metric_notifies_the_manager_and_the_risk_department(product, pm, reviewer):
    UserFactory(username="compliance_x", role="reviewer", departments=["compliance"])
    red_default_rate(product, "2026-10")
    compute("2026-10")
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"pm_a", "risk_a"}
    assert "LN-T" in Notification.objects.first().title


def test_alert_on_a_business_metric_notifies_only_the_manager(product, reviewer):
    observe(product, "revenue", "2026-10-10", 10)
    target(product, "revenue", "2026-10-01", 100, 90, 80)
    compute("2026-10")
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["pm_a"]


def test_alert_resolves_itself_when_the_metric_is_green_again(product):
    red_default_rate(product, "2026-10")
    green_default_rate(product, "2026-11")
    compute("2026-10")
    result = compute("2026-11")
    alert = Alert.objects.get()
    assert result.alerts_resolved == 1
    assert (alert.status, alert.auto_resolved, alert.resolved_by) == ("resolved", True, None)
    assert "2026-11" in alert.resolution_comment


def test_amber_does_not_resolve_an_alert(product):
    red_default_rate(product, "2026-10")
    observe(product, "default_rate", "2026-11-10", 1.9)
    target(product, "default_rate", "2026-11-01", 1.5, 1.8, 2.0)
    compute("2026-10")
    compute("2026-11")
    assert Alert.objects.get().status == "open"


def test_recomputing_an_old_red_month_after_a_green_one_opens_no_stale_alert(product):
    red_default_rate(product, "2026-10")
    green_default_rate(product, "2026-11")
    compute("2026-11")
    compute("2026-10")
    assert not Alert.objects.exists()


def test_red_again_after_resolution_opens_a_new_alert(product):
    red_default_rate(product, "2026-10")
    green_default_rate(product, "2026-11")
    red_default_rate(product, "2026-12")
    for month in ("2026-10", "2026-11", "2026-12"):
        compute(month)
    assert list(Alert.objects.order_by("id").values_list("period", "status")) == [
        ("2026-10", "resolved"), ("2026-12", "open")]


@pytest.fixture
def alert(product):
    red_default_rate(product, "2026-10")
    compute("2026-10")
    return Alert.objects.get()


def test_manager_acknowledges_then_resolves_with_comments(alert, pm):
    services.alert_acknowledge(user=pm, alert=alert, comment="已收紧审批")
    alert = services.alert_resolve(user=pm, alert=alert, comment="不良率回落")
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by, alert.acknowledge_comment) == ("resolved", pm, "已收紧审批")
    assert (alert.resolved_by, alert.resolution_comment, alert.auto_resolved) == (pm, "不良率回落", False)


def test_comment_is_required(alert, pm):
    with pytest.raises(ValidationError) as error:
        services.alert_resolve(user=pm, alert=alert, comment="  ")
    assert "comment" in error.value.message_dict
    alert.refresh_from_db()
    assert alert.status == "open"


def test_resolved_alert_cannot_be_acknowledged(alert, pm):
    services.alert_resolve(user=pm, alert=alert, comment="ok")
    with pytest.raises(services.StateConflict):
        services.alert_acknowledge(user=pm, alert=alert, comment="late")


@pytest.mark.parametrize(("who", "allowed"), [("pm", True), ("other_pm", False), ("head", True),
                                              ("admin_user", True), ("reviewer", True), ("executive", False)])
def test_who_may_handle_a_risk_alert(alert, request, who, allowed):
    user = request.getfixturevalue(who)
    if allowed:
        services.alert_acknowledge(user=user, alert=alert, comment="看到了")
        alert.refresh_from_db()
        assert alert.status == "acknowledged"
    else:
        with pytest.raises(PermissionDenied):
            services.alert_acknowledge(user=user, alert=alert, comment="看到了")


def test_risk_department_may_not_handle_a_business_alert(product, reviewer):
    observe(product, "revenue", "2026-10-10", 10)
    target(product, "revenue", "2026-10-01", 100, 90, 80)
    compute("2026-10")
    with pytest.raises(PermissionDenied):
        services.alert_acknowledge(user=reviewer, alert=Alert.objects.get(), comment="x")


def test_database_refuses_a_second_active_alert_for_the_same_metric(alert):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(product=alert.product, metric=alert.metric, granularity="month", period="2026-11",
                             period_start="2026-11-01", opened_at=alert.opened_at)


def test_an_alert_moves_to_a_later_breach_with_its_value(product):
    red_default_rate(product, "2026-06")
    observe(product, "default_rate", "2026-11-10", 3.1)
    target(product, "default_rate", "2026-11-01", 1.5, 1.8, 2.0)
    compute("2026-06")
    compute("2026-11")
    alert = Alert.objects.get()
    assert (alert.period, str(alert.period_start), alert.value) == ("2026-11", "2026-11-01", 3.1)
    assert alert.snapshot.period == "2026-11"


def test_a_recomputed_breach_updates_the_alerts_value(product):
    row = observe(product, "default_rate", "2026-10-10", 2.5)
    target(product, "default_rate", "2026-10-01", 1.5, 1.8, 2.0)
    compute("2026-10")
    row.value = 2.9
    row.save()
    compute("2026-10")
    assert Alert.objects.get().value == 2.9


def test_an_earlier_breach_recomputed_later_does_not_move_the_alert_back(product):
    red_default_rate(product, "2026-06")
    observe(product, "default_rate", "2026-11-10", 3.1)
    target(product, "default_rate", "2026-11-01", 1.5, 1.8, 2.0)
    compute("2026-11")
    compute("2026-06")
    assert Alert.objects.get().period == "2026-11"


def test_a_backfill_leaves_the_alert_on_the_latest_breach(product):
    red_default_rate(product, "2026-06")
    observe(product, "default_rate", "2026-07-10", 2.2)
    target(product, "default_rate", "2026-07-01", 1.5, 1.8, 2.0)
    services.kpi_snapshots_compute(period="2026-06", granularity="month", through="2026-07")
    alert = Alert.objects.get()
    assert (alert.period, alert.value) == ("2026-07", 2.2)


def test_an_over_long_comment_is_refused_by_the_service_whatever_the_caller(client, pm):
    live_products(1, pm)
    alert = Alert.objects.get()
    with pytest.raises(ValidationError):
        services.alert_resolve(user=pm, alert=alert, comment="x" * 2001)
    response = login(client, pm).post(f"/kpis/alerts/{alert.pk}/resolve/", {"comment": "x" * 2001}, follow=True)
    assert "2000" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == "open"
    services.alert_resolve(user=pm, alert=alert, comment="x" * 2000)
    alert.refresh_from_db()
    assert alert.status == "resolved"


def test_an_alerts_notification_names_the_product_metric_period_value_and_limit(product):
    red_default_rate(product, "2026-10")
    compute("2026-10")
    note = Notification.objects.get(recipient__username="pm_a")
    assert note.title == "指标预警：LN-T 不良率（2026-10）"
    assert note.body == "不良率 为 2.50，已越过预警阈值 2.00。请确认并说明应对措施。"
    assert note.url == f"/kpis/alerts/?product={product.pk}"


def test_an_automatic_resolution_says_which_period_is_back_on_target(product):
    red_default_rate(product, "2026-10")
    green_default_rate(product, "2026-11")
    compute("2026-10")
    compute("2026-11")
    alert = Alert.objects.get()
    assert (alert.status, alert.resolution_comment) == ("resolved", "指标已恢复达标（2026-11），系统自动解除。")


def test_someone_who_may_not_handle_the_alert_is_told_so_and_nothing_changes(alert, other_pm):
    with assert_unchanged(Alert, AuditEntry), pytest.raises(PermissionDenied) as error:
        services.alert_resolve(user=other_pm, alert=alert, comment="不是我的")
    assert str(error.value) == "您无权处理该预警。"


def test_a_blank_comment_is_refused_on_the_comment_field_and_nothing_changes(alert, pm):
    with assert_unchanged(Alert, AuditEntry), pytest.raises(ValidationError) as error:
        services.alert_acknowledge(user=pm, alert=alert, comment="  ")
    assert error.value.message_dict == {"comment": ["请填写说明。"]}


def test_an_over_long_comment_is_refused_with_the_limit_and_nothing_changes(alert, pm):
    with assert_unchanged(Alert, AuditEntry), pytest.raises(ValidationError) as error:
        services.alert_acknowledge(user=pm, alert=alert, comment="长" * 2001)
    assert error.value.message_dict == {"comment": ["说明不能超过 2000 个字符。"]}


def test_acknowledging_an_acknowledged_alert_is_a_conflict_and_nothing_changes(alert, pm):
    services.alert_acknowledge(user=pm, alert=alert, comment="已收紧审批")
    with assert_unchanged(Alert, AuditEntry), pytest.raises(services.StateConflict) as error:
        services.alert_acknowledge(user=pm, alert=alert, comment="再次确认")
    assert error.value.message == "只有待处理的预警可以确认。"


def test_resolving_a_resolved_alert_is_a_conflict_and_nothing_changes(alert, pm):
    services.alert_resolve(user=pm, alert=alert, comment="不良率回落")
    with assert_unchanged(Alert, AuditEntry), pytest.raises(services.StateConflict) as error:
        services.alert_resolve(user=pm, alert=alert, comment="再次解除")
    assert error.value.message == "该预警已解除。"


def test_an_acknowledged_alert_can_still_be_resolved(alert, pm):
    services.alert_acknowledge(user=pm, alert=alert, comment="已收紧审批")
    services.alert_resolve(user=pm, alert=alert, comment="不良率回落")
    alert.refresh_from_db()
    assert alert.status == "resolved"


def test_one_backfill_resolves_the_old_alert_on_green_and_opens_a_new_one_on_the_next_breach(product):
    red_default_rate(product, "2026-10")
    compute("2026-10")
    green_default_rate(product, "2026-11")
    red_default_rate(product, "2026-12")
    result = services.kpi_snapshots_compute(period="2026-10", granularity="month", through="2026-12")
    assert (result.alerts_opened, result.alerts_resolved) == (1, 1)
    assert list(Alert.objects.order_by("id").values_list("period", "status")) == [
        ("2026-10", "resolved"), ("2026-12", "open")]


def test_a_backfill_notifies_the_breach_an_alert_opened_on_and_leaves_it_on_the_latest(product):
    red_default_rate(product, "2026-06")
    observe(product, "default_rate", "2026-07-10", 2.2)
    target(product, "default_rate", "2026-07-01", 1.5, 1.8, 2.0)
    services.kpi_snapshots_compute(period="2026-06", granularity="month", through="2026-07")
    assert Notification.objects.get(recipient__username="pm_a").title == "指标预警：LN-T 不良率（2026-06）"
    alert = Alert.objects.get()
    assert (alert.period, alert.value, alert.snapshot.period) == ("2026-07", 2.2, "2026-07")


def test_an_active_quarterly_alert_keeps_a_monthly_one_from_opening_and_is_left_alone(product):
    red_default_rate(product, "2026-10")
    quarterly = Alert.objects.create(product=product, metric=metric("default_rate"), granularity="quarter",
                                     period="2026-Q3", period_start="2026-07-01", opened_at=timezone.now())
    green_default_rate(product, "2026-11")
    result = services.kpi_snapshots_compute(period="2026-10", granularity="month", through="2026-11")
    assert (result.alerts_opened, result.alerts_resolved) == (0, 0)
    assert list(Alert.objects.values_list("pk", "status", "period")) == [(quarterly.pk, "open", "2026-Q3")]


def test_the_alert_pass_reads_as_many_queries_for_twelve_periods_as_for_three(product):
    for month in ("2025-12", "2026-09", "2026-11"):  # each pass opens on its first breach and moves to the last
        red_default_rate(product, month)
    counts = []
    for first in ("2026-09", "2025-12"):
        Alert.objects.all().delete()
        services.kpi_snapshots_compute(period=first, granularity="month", through="2026-11", alerts=False)
        with CaptureQueriesContext(connection) as queries:
            services.kpi_alerts_reconcile(period=first, granularity="month", through="2026-11")
        counts.append(len(queries))
    assert Alert.objects.get().period == "2026-11"
    assert counts[0] == counts[1]
