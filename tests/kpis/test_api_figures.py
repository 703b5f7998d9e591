"""KPI figures in API answers carry the metric's precision: no binary-float artefacts reach another system."""
import pytest
from django.utils import timezone

from kpis import services
from kpis.api.serializers import figure
from kpis.models import Alert, Snapshot
from tests.factories import ProductFactory, observe
from tests.helpers import api

pytestmark = pytest.mark.django_db


def test_a_float_sum_artefact_reads_as_the_amount_it_is(pm):
    product = ProductFactory(code="FIG-1", owner=pm, category="loan")
    observe(product, "revenue", "2026-10-01", 1.0)
    services.kpi_snapshots_compute(period="2026-10", granularity="month")
    Snapshot.objects.filter(product=product).update(value=1005917.0499999999)  # what a float sum left
    response = api(pm).get("/api/v1/kpi-snapshots/", {"product": "FIG-1", "metric": "revenue"})
    assert response.json()["results"][0]["value"] == 1005917.05
    assert b'"value":1005917.05,' in response.content


def test_a_figure_rounds_half_up_from_its_shortest_decimal_form():
    assert str(figure(1005917.0499999999, 2)) == "1005917.05"
    assert str(figure(2.675, 2)) == "2.68"  # the float is 2.67499999...; its decimal form is 2.675
    assert str(figure(12.4, 0)) == "12"
    assert figure(None, 2) is None


def test_snapshot_percentages_and_alert_figures_are_rounded(pm):
    product = ProductFactory(code="FIG-2", owner=pm, category="loan")
    observe(product, "revenue", "2026-09-05", 3.0)
    observe(product, "revenue", "2026-10-05", 1.0)
    services.kpi_snapshots_compute(period="2026-09", granularity="month")
    services.kpi_snapshots_compute(period="2026-10", granularity="month")
    row = api(pm).get("/api/v1/kpi-snapshots/", {"product": "FIG-2", "period": "2026-10"}).json()["results"]
    [revenue] = [r for r in row if r["metric"] == "revenue"]
    assert revenue["change_pct"] == -66.67
    snapshot = Snapshot.objects.get(product=product, metric__code="revenue", period="2026-10")
    alert = Alert.objects.create(product=product, metric=snapshot.metric, granularity="month", period="2026-10",
                                 period_start=snapshot.period_start, opened_at=timezone.now(), value=0.1 + 0.2,
                                 critical_threshold=1 / 3)
    body = api(pm).get(f"/api/v1/alerts/{alert.pk}/").json()
    assert (body["value"], body["critical_threshold"]) == (0.3, 0.33)
