"""KPI targets, metric definitions and alert handling write the audit chain, with the diff for edits."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from core.audit import audit_verify
from core.models import AuditEntry
from kpis import services
from kpis.models import Alert, Metric, Target
from tests.factories import MetricFactory, ProductFactory, TargetFactory, observe, target

pytestmark = pytest.mark.django_db


def test_a_new_target_is_audited_with_its_values(head):
    product = ProductFactory()
    new = Target(product=product, metric=Metric.objects.get(code="revenue"), granularity="month",
                 period_start=dt.date(2026, 10, 1), target_value=100, warning_threshold=90, critical_threshold=80)
    services.target_save(user=head, target=new)
    entry = AuditEntry.objects.get(action="kpi_target_created")
    assert (entry.product_id, entry.object_type, entry.object_id) == (product.pk, "target", str(new.pk))
    assert {"field": "target_value", "old": None, "new": "100.0"} in entry.changes


def test_a_target_edit_records_only_the_changed_thresholds(head):
    existing = TargetFactory(period_start=dt.date(2026, 10, 1))
    existing.warning_threshold, existing.critical_threshold = 95.0, 85.0
    services.target_save(user=head, target=existing)
    entry = AuditEntry.objects.get(action="kpi_target_updated")
    assert entry.changes == [{"field": "warning_threshold", "old": "90.0", "new": "95.0"},
                             {"field": "critical_threshold", "old": "80.0", "new": "85.0"}]
    assert audit_verify() is None


def test_a_product_manager_may_not_set_targets(pm):
    existing = TargetFactory(product=ProductFactory(owner=pm), period_start=dt.date(2026, 10, 1))
    existing.target_value = 1.0
    with pytest.raises(PermissionDenied):
        services.target_save(user=pm, target=existing)
    assert Target.objects.get(pk=existing.pk).target_value == 100.0
    assert not AuditEntry.objects.exists()


def test_a_deleted_target_is_audited_with_the_values_it_had(head):
    existing = TargetFactory(period_start=dt.date(2026, 10, 1))
    pk = existing.pk
    services.target_delete(user=head, targets=[existing])
    entry = AuditEntry.objects.get(action="kpi_target_deleted")
    assert (entry.actor, entry.object_type, entry.object_id, entry.comment) == (head, "target", str(pk),
                                                                             "revenue month 2026-10-01")
    assert {"field": "target_value", "old": "100.0", "new": None} in entry.changes
    assert not Target.objects.exists()


def test_a_metric_definition_edit_is_audited_with_the_diff(admin_user):
    metric = MetricFactory(code="audit_metric")
    metric.is_key, metric.name_en = True, "Audited metric"
    services.metric_save(user=admin_user, metric=metric)
    entry = AuditEntry.objects.get(action="kpi_metric_updated")
    assert entry.product_id is None
    assert {c["field"] for c in entry.changes} == {"name_en", "is_key"}


def test_only_admins_edit_metric_definitions(head):
    metric = MetricFactory(code="audit_metric2")
    with pytest.raises(PermissionDenied):
        services.metric_save(user=head, metric=metric)


@pytest.fixture
def open_alert(pm):
    product = ProductFactory(code="LN-A", owner=pm, category="loan")
    observe(product, "default_rate", "2026-10-10", 2.5)
    target(product, "default_rate", "2026-10-01", 1.5, 1.8, 2.0)
    services.kpi_snapshots_compute(period="2026-10", granularity="month")
    return Alert.objects.get()


def test_acknowledging_an_alert_is_audited_with_the_comment(open_alert, pm):
    services.alert_acknowledge(user=pm, alert=open_alert, comment="调整审批策略")
    entry = AuditEntry.objects.get(action="kpi_alert_acknowledged")
    assert (entry.actor, entry.product_id, entry.from_value, entry.to_value) == (
        pm, open_alert.product_id, "open", "acknowledged")
    assert "调整审批策略" in entry.comment


def test_resolving_an_alert_is_audited_from_its_previous_status(open_alert, pm):
    services.alert_acknowledge(user=pm, alert=open_alert, comment="跟进")
    services.alert_resolve(user=pm, alert=open_alert, comment="已恢复")
    entry = AuditEntry.objects.get(action="kpi_alert_resolved")
    assert (entry.actor, entry.from_value, entry.to_value, entry.object_id) == (
        pm, "acknowledged", "resolved", str(open_alert.pk))


def test_an_automatic_resolution_is_audited_without_an_actor(open_alert):
    observe(open_alert.product, "default_rate", "2026-11-10", 1.0)
    target(open_alert.product, "default_rate", "2026-11-01", 1.5, 1.8, 2.0)
    services.kpi_snapshots_compute(period="2026-11", granularity="month")
    entry = AuditEntry.objects.get(action="kpi_alert_resolved")
    assert entry.actor is None and entry.to_value == "resolved"


def test_a_batch_of_figures_is_one_entry_naming_its_sender_and_products(head):
    product = ProductFactory(code="ING-1")
    services.observations_ingest(user=head, items=[
        {"product": "ING-1", "metric": "revenue", "date": f"2026-10-0{day}", "value": 1.5} for day in (1, 2)])
    entry = AuditEntry.objects.get(action="kpi_observations_ingested")
    assert (entry.actor, entry.product, entry.changes) == (
        head, product, [{"field": "products", "old": None, "new": [product.pk]}])
    assert entry.comment.startswith("2 (2 new")


def test_a_dry_run_of_figures_writes_no_entry(head):
    ProductFactory(code="ING-2")
    services.observations_ingest(user=head, dry_run=True, items=[
        {"product": "ING-2", "metric": "revenue", "date": "2026-10-01", "value": 1.5}])
    assert not AuditEntry.objects.exists()
