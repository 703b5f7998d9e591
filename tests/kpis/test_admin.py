"""The KPI admin saves targets and metric definitions through the audited services; figures are read-only."""
import datetime as dt

import pytest
from django.urls import reverse

from core.models import AuditEntry
from kpis import services
from kpis.models import Metric, Observation, Target
from tests.admin_forms import admin_post_data
from tests.factories import TargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def test_a_target_edit_in_the_admin_is_audited_with_the_diff(signed_in, admin_user):
    target = TargetFactory(period_start=dt.date(2026, 10, 1))
    data = admin_post_data(target, target_value=120.0)
    assert signed_in.post(reverse("admin:kpis_target_change", args=[target.pk]), data).status_code == 302
    entry = AuditEntry.objects.get(action="kpi_target_updated")
    assert entry.actor == admin_user and entry.changes == [{"field": "target_value", "old": "100.0", "new": "120.0"}]


def test_a_target_deleted_in_the_admin_is_audited(signed_in):
    target = TargetFactory(period_start=dt.date(2026, 10, 1))
    signed_in.post(reverse("admin:kpis_target_delete", args=[target.pk]), {"post": "yes"})
    assert not Target.objects.exists()
    assert AuditEntry.objects.filter(action="kpi_target_deleted").count() == 1


def test_a_list_edit_of_a_metric_is_audited(signed_in):
    metric = Metric.objects.get(code="revenue")
    data = {"form-TOTAL_FORMS": 1, "form-INITIAL_FORMS": 1, "form-0-id": metric.pk,
            "form-0-scorecard_weight": "3.5", "_save": "1"}
    if not metric.is_key:
        data["form-0-is_key"] = "on"
    signed_in.post(reverse("admin:kpis_metric_changelist") + f"?code={metric.code}", data)
    entry = AuditEntry.objects.get(action="kpi_metric_updated")
    assert {"field": "scorecard_weight", "old": format(metric.scorecard_weight.normalize(), "f"),
            "new": "3.5"} in entry.changes


def test_observations_cannot_be_changed_in_the_admin(signed_in):
    # Figures arrive only through the ingestion service; the admin has no page for them at all.
    from django.contrib import admin

    assert not admin.site.is_registered(Observation)
    assert signed_in.get("/admin/kpis/observation/").status_code == 404


def test_the_snapshot_admin_titles_records_by_product_and_metric_and_rounds_figures(client, admin_user, pm):
    from kpis.models import Snapshot
    from tests.factories import live_products, observe

    [product] = live_products(1, pm)
    observe(product, "default_rate", "2026-09-03", 2.0113666666666665)
    services.kpi_snapshots_compute(period="2026-09", granularity="month")
    snap = Snapshot.objects.select_related("product", "metric").get(product=product, metric__code="default_rate",
                                                                     period="2026-09")
    client.force_login(admin_user)
    listing = client.get(f"/admin/kpis/snapshot/?metric__id__exact={snap.metric_id}").content.decode()
    assert "2.01" in listing and "2.0113666" not in listing
    page = client.get(f"/admin/kpis/snapshot/{snap.pk}/change/").content.decode()
    assert f"{product.code} · {snap.metric.display_name} · 2026-09" in page


def test_a_snapshot_cannot_be_deleted_in_the_admin(signed_in, pm):
    from kpis.models import Snapshot
    from tests.factories import live_products, observe

    [product] = live_products(1, pm)
    observe(product, "default_rate", "2026-09-03", 2.0)
    services.kpi_snapshots_compute(period="2026-09", granularity="month")
    snap = Snapshot.objects.get(product=product, metric__code="default_rate", period="2026-09")
    one = signed_in.post(reverse("admin:kpis_snapshot_delete", args=[snap.pk]), {"post": "yes"})
    bulk = signed_in.post(reverse("admin:kpis_snapshot_changelist"),
                          {"action": "delete_selected", "_selected_action": [snap.pk], "post": "yes"})
    assert one.status_code == 403 and bulk.status_code in (200, 302)
    assert Snapshot.objects.filter(pk=snap.pk).exists()
