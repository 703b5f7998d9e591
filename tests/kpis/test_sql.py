"""The snapshot statement's guards (kpis/sql.py): a zero divisor gives no percentage instead of an error, and
`last` picks each product's and metric's own latest figure. Through the service, the API, the command and the
admin, which all run the same statement."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from kpis import services
from kpis.models import Snapshot
from tests.factories import MetricFactory, ProductFactory, observe, target
from tests.helpers import api, login

pytestmark = pytest.mark.django_db


def compute(period="2026-10"):
    return services.kpi_snapshots_compute(period=period, granularity="month")


def snap(product, code, period="2026-10"):
    return Snapshot.objects.get(product=product, metric__code=code, granularity="month", period=period)


@pytest.fixture
def product(db):
    return ProductFactory(code="DEP-Z")


# --- zero divisors ---------------------------------------------------------------------------------------------

def test_year_over_year_is_none_when_last_years_value_is_zero(product):
    observe(product, "revenue", "2025-10-05", 0)
    observe(product, "revenue", "2026-10-05", 60)
    compute()
    row = snap(product, "revenue")
    assert (row.value, row.last_year_value, row.yoy_pct) == (60, 0, None)


def test_attainment_is_none_when_the_target_is_zero_and_the_status_still_counts(product):
    observe(product, "revenue", "2026-10-05", 60)
    target(product, "revenue", "2026-10-01", 0, 0, 0)
    compute()
    row = snap(product, "revenue")
    assert (row.target_value, row.attainment_pct, row.status) == (0, None, "green")


def test_attainment_of_a_lower_is_better_metric_is_none_when_its_value_is_zero(product):
    observe(product, "default_rate", "2026-10-05", 0)
    target(product, "default_rate", "2026-10-01", 1.5, 1.8, 2.0)
    compute()
    row = snap(product, "default_rate")
    assert (row.value, row.attainment_pct, row.status) == (0, None, "green")


def test_a_lower_is_better_target_of_zero_with_a_value_gives_zero_attainment(product):
    observe(product, "default_rate", "2026-10-05", 2.0)
    target(product, "default_rate", "2026-10-01", 0, 1.0, 1.5)
    compute()
    row = snap(product, "default_rate")
    assert (row.attainment_pct, row.status) == (0, "red")  # 0 / 2.0 × 100: the divisor is the value, not the target


def test_zero_guards_hold_when_computed_over_the_api(head, product, django_capture_on_commit_callbacks):
    observe(product, "revenue", "2025-10-05", 0)
    observe(product, "revenue", "2026-10-05", 60)
    target(product, "revenue", "2026-10-01", 0, 0, 0)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(head).post("/api/v1/kpi-snapshots/compute/", {"period": "2026-10", "granularity": "month"},
                                  format="json")
    assert response.status_code == 202
    [row] = api(head).get("/api/v1/kpi-snapshots/", {"product": "DEP-Z", "metric": "revenue"}).json()["results"]
    assert (row["value"], row["yoy_pct"], row["attainment_pct"]) == (60.0, None, None)


def test_zero_guards_hold_when_computed_by_the_command(product):
    observe(product, "default_rate", "2026-10-05", 0)
    target(product, "default_rate", "2026-10-01", 1.5, 1.8, 2.0)
    call_command("compute_kpis", "--period", "2026-10", "--granularity", "month", stdout=StringIO())
    assert snap(product, "default_rate").attainment_pct is None


def test_zero_guards_hold_when_recomputed_from_the_admin(client, admin_user, product):
    observe(product, "revenue", "2025-10-05", 0)
    observe(product, "revenue", "2026-10-05", 60)
    compute()
    row = snap(product, "revenue")
    observe(product, "revenue", "2026-10-06", 40)
    login(client, admin_user).post(reverse("admin:kpis_snapshot_changelist"),
                                   {"action": "recompute", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert (row.value, row.yoy_pct) == (100, None)


# --- `last` with several products and metrics on the same day --------------------------------------------------

def test_last_takes_each_products_own_figure_when_two_products_report_the_same_day(product):
    other = ProductFactory(code="DEP-Y")
    observe(product, "active_customers", "2026-10-28", 120)
    observe(other, "active_customers", "2026-10-28", 450)
    observe(other, "active_customers", "2026-10-03", 999)
    compute()
    assert snap(product, "active_customers").value == 120
    assert snap(other, "active_customers").value == 450


def test_last_takes_each_metrics_own_figure_when_two_last_metrics_share_a_day(product):
    MetricFactory(code="cards_in_force", aggregation="last")
    observe(product, "active_customers", "2026-10-28", 120)
    observe(product, "cards_in_force", "2026-10-28", 75)
    compute()
    assert snap(product, "active_customers").value == 120
    assert snap(product, "cards_in_force").value == 75


def test_last_of_the_previous_month_is_that_months_own_latest_day(product):
    observe(product, "active_customers", "2026-09-30", 100)
    observe(product, "active_customers", "2026-09-02", 500)
    observe(product, "active_customers", "2026-10-28", 120)
    compute()
    row = snap(product, "active_customers")
    assert (row.value, row.previous_value) == (120, 100)
    assert row.change_pct == pytest.approx(20.0)


# --- magnitudes and derived metrics ------------------------------------------------------------------------------

def test_year_over_year_from_a_negative_value_uses_its_magnitude(product):
    MetricFactory(code="net_inflow", aggregation="sum")
    observe(product, "net_inflow", "2025-10-05", -40)
    observe(product, "net_inflow", "2026-10-05", 20)
    compute()
    assert snap(product, "net_inflow").yoy_pct == pytest.approx(150.0)  # (20 - -40) / 40 × 100


def test_profit_is_revenue_minus_cost(product):
    observe(product, "revenue", "2026-10-05", 30)
    observe(product, "cost", "2026-10-05", 70)
    compute()
    assert snap(product, "profit").value == -40


def test_profit_and_margin_need_both_revenue_and_cost(product):
    observe(product, "revenue", "2026-10-05", 30)
    compute()
    assert not Snapshot.objects.filter(product=product, metric__code__in=["profit", "margin"]).exists()
