"""Snapshot computation, with every expectation computed by hand in the comments."""
import pytest

from kpis import services
from kpis.models import Snapshot
from tests.factories import MetricFactory, ProductFactory, metric, observe, target

pytestmark = pytest.mark.django_db


def compute(period="2026-10", granularity="month", **kwargs):
    return services.kpi_snapshots_compute(period=period, granularity=granularity, **kwargs)


def snap(product, code, period="2026-10", granularity="month"):
    return Snapshot.objects.get(product=product, metric__code=code, granularity=granularity, period=period)


@pytest.fixture
def product():
    return ProductFactory(code="DEP-T")


def test_sum_adds_the_days_of_the_month_and_ignores_neighbouring_months(product):
    for day, value in [("2026-09-30", 5), ("2026-10-01", 10), ("2026-10-15", 20), ("2026-10-31", 30),
                       ("2026-11-01", 100)]:
        observe(product, "revenue", day, value)
    compute()
    assert snap(product, "revenue").value == 60  # 10 + 20 + 30


def test_avg_is_the_mean_of_the_daily_values(product):
    observe(product, "csat", "2026-10-02", 80)
    observe(product, "csat", "2026-10-20", 90)
    observe(product, "csat", "2026-10-21", 91)
    compute()
    assert snap(product, "csat").value == pytest.approx(87.0)  # (80 + 90 + 91) / 3


def test_last_takes_the_latest_day_not_the_largest_value(product):
    observe(product, "active_customers", "2026-10-03", 100)
    observe(product, "active_customers", "2026-10-10", 150)
    observe(product, "active_customers", "2026-10-28", 120)
    compute()
    assert snap(product, "active_customers").value == 120


def test_max_and_min_take_the_extremes(product):
    MetricFactory(code="peak_balance", aggregation="max")
    MetricFactory(code="low_balance", aggregation="min")
    for day, value in [("2026-10-01", 7), ("2026-10-02", -3), ("2026-10-03", 12)]:
        observe(product, "peak_balance", day, value)
        observe(product, "low_balance", day, value)
    compute()
    assert snap(product, "peak_balance").value == 12
    assert snap(product, "low_balance").value == -3


def test_profit_and_margin_are_derived_from_revenue_and_cost(product):
    observe(product, "revenue", "2026-10-01", 40)
    observe(product, "revenue", "2026-10-02", 40)
    observe(product, "cost", "2026-10-01", 60)
    compute()
    assert snap(product, "profit").value == 20  # 80 - 60
    assert snap(product, "margin").value == pytest.approx(25.0)  # 20 / 80 × 100


def test_margin_is_none_when_revenue_is_zero_and_profit_is_minus_cost(product):
    observe(product, "revenue", "2026-10-01", 0)
    observe(product, "cost", "2026-10-01", 15)
    compute()
    assert snap(product, "profit").value == -15
    margin = snap(product, "margin")
    assert margin.value is None
    assert margin.status == "none"


def test_quarter_covers_october_to_december_only(product):
    for day, value in [("2026-09-30", 1000), ("2026-10-01", 1), ("2026-11-15", 2), ("2026-12-31", 4),
                       ("2027-01-01", 1000)]:
        observe(product, "revenue", day, value)
    compute("2026-Q4", "quarter")
    row = snap(product, "revenue", "2026-Q4", "quarter")
    assert row.value == 7  # 1 + 2 + 4
    assert str(row.period_start) == "2026-10-01"


def test_quarter_previous_period_is_the_previous_quarter(product):
    observe(product, "revenue", "2026-07-01", 10)  # Q3
    observe(product, "revenue", "2026-09-30", 10)  # Q3
    observe(product, "revenue", "2026-10-01", 30)  # Q4
    compute("2026-Q4", "quarter")
    row = snap(product, "revenue", "2026-Q4", "quarter")
    assert (row.previous_value, row.change_pct) == (20, pytest.approx(50.0))  # (30 - 20) / 20


def test_change_is_relative_to_the_previous_month(product):
    observe(product, "revenue", "2026-09-10", 50)
    observe(product, "revenue", "2026-10-10", 60)
    compute()
    row = snap(product, "revenue")
    assert row.previous_value == 50
    assert row.change_pct == pytest.approx(20.0)  # (60 - 50) / 50 × 100


def test_change_is_none_when_the_previous_value_is_zero(product):
    observe(product, "revenue", "2026-09-10", 0)
    observe(product, "revenue", "2026-10-10", 60)
    compute()
    row = snap(product, "revenue")
    assert row.previous_value == 0
    assert row.change_pct is None


def test_change_from_a_negative_previous_value_uses_its_magnitude(product):
    MetricFactory(code="net_flow", aggregation="sum")
    observe(product, "net_flow", "2026-09-10", -50)
    observe(product, "net_flow", "2026-10-10", 10)
    compute()
    assert snap(product, "net_flow").change_pct == pytest.approx(120.0)  # (10 - -50) / 50 × 100


def test_year_over_year_compares_with_the_same_month_last_year(product):
    observe(product, "revenue", "2025-10-05", 40)
    observe(product, "revenue", "2025-11-05", 999)
    observe(product, "revenue", "2026-10-05", 60)
    compute()
    row = snap(product, "revenue")
    assert row.last_year_value == 40
    assert row.yoy_pct == pytest.approx(50.0)  # (60 - 40) / 40 × 100


def test_attainment_of_a_higher_is_better_metric_is_value_over_target(product):
    observe(product, "revenue", "2026-10-05", 60)
    target(product, "revenue", "2026-10-01", 80, 70, 50)
    compute()
    row = snap(product, "revenue")
    assert row.target_value == 80
    assert row.attainment_pct == pytest.approx(75.0)  # 60 / 80 × 100


def test_attainment_of_a_lower_is_better_metric_is_target_over_value(product):
    observe(product, "default_rate", "2026-10-05", 2.0)
    observe(product, "default_rate", "2026-10-06", 3.0)
    target(product, "default_rate", "2026-10-01", 2.0, 2.2, 2.6)
    compute()
    row = snap(product, "default_rate")
    assert row.value == pytest.approx(2.5)  # avg
    assert row.attainment_pct == pytest.approx(80.0)  # 2.0 / 2.5 × 100
    assert row.status == "amber"  # 2.2 < 2.5 ≤ 2.6


@pytest.mark.parametrize(("value", "expected"), [(95, "green"), (90, "green"), (85, "amber"), (80, "amber"),
                                                 (79.99, "red")])
def test_status_of_a_higher_is_better_metric_against_thresholds(product, value, expected):
    observe(product, "revenue", "2026-10-05", value)
    target(product, "revenue", "2026-10-01", 100, 90, 80)
    compute()
    assert snap(product, "revenue").status == expected


@pytest.mark.parametrize(("value", "expected"), [(1.2, "green"), (1.8, "green"), (1.9, "amber"), (2.0, "amber"),
                                                 (2.01, "red")])
def test_status_of_a_risk_limit_against_thresholds(product, value, expected):
    observe(product, "default_rate", "2026-10-05", value)
    target(product, "default_rate", "2026-10-01", 1.5, 1.8, 2.0)
    compute()
    assert snap(product, "default_rate").status == expected


def test_status_is_none_without_a_target(product):
    observe(product, "revenue", "2026-10-05", 60)
    compute()
    row = snap(product, "revenue")
    assert (row.status, row.target_value, row.attainment_pct) == ("none", None, None)


def test_month_target_does_not_apply_to_the_quarter(product):
    observe(product, "revenue", "2026-10-05", 60)
    target(product, "revenue", "2026-10-01", 100, 90, 80)
    compute("2026-Q4", "quarter")
    assert snap(product, "revenue", "2026-Q4", "quarter").status == "none"


def test_rerun_gives_the_same_rows_and_never_duplicates(product):
    observe(product, "revenue", "2026-10-05", 60)
    observe(product, "cost", "2026-10-05", 30)
    compute()
    first = list(Snapshot.objects.order_by("metric__code").values_list("metric__code", "value", "status"))
    compute()
    assert list(Snapshot.objects.order_by("metric__code").values_list("metric__code", "value", "status")) == first
    assert Snapshot.objects.count() == 4  # revenue, cost, profit, margin


def test_rerun_after_a_corrected_figure_updates_the_snapshot(product):
    row = observe(product, "revenue", "2026-10-05", 60)
    compute()
    row.value = 70
    row.save()
    compute()
    assert snap(product, "revenue").value == 70
    assert Snapshot.objects.filter(metric=metric("revenue")).count() == 1


def test_backfill_computes_each_period_and_reports_its_start_and_end(product):
    for day in ["2026-08-01", "2026-09-01", "2026-10-01"]:
        observe(product, "revenue", day, 10)
    calls = []
    result = compute("2026-08", "month", through="2026-10", progress=lambda done, total: calls.append((done, total)))
    assert result.periods == 3
    assert calls == [(0, 3), (3, 3)]  # one statement and one alert pass: fan-out chunks report in between
    assert sorted(Snapshot.objects.filter(metric__code="revenue").values_list("period", flat=True)) == [
        "2026-08", "2026-09", "2026-10"]


def test_products_without_figures_in_the_period_get_no_snapshot(product):
    observe(product, "revenue", "2026-09-05", 60)
    compute()
    assert not Snapshot.objects.filter(period="2026-10").exists()


def test_bad_period_is_refused_naming_the_field():
    with pytest.raises(services.ValidationError) as error:
        compute("2026-13")
    assert "period" in error.value.message_dict


def test_a_derived_metric_added_as_data_gets_snapshots_from_its_formula(product):
    MetricFactory(code="cost_income_ratio", aggregation="derived", formula="cost * 100 / revenue", direction="lower")
    observe(product, "revenue", "2026-10-01", 80)
    observe(product, "cost", "2026-10-01", 20)
    compute()
    assert snap(product, "cost_income_ratio").value == pytest.approx(25.0)  # 20 × 100 / 80


def test_a_derived_metric_may_use_another_derived_metric(product):
    MetricFactory(code="profit_per_customer", aggregation="derived", formula="profit / active_customers")
    observe(product, "revenue", "2026-10-01", 90)
    observe(product, "cost", "2026-10-01", 30)
    observe(product, "active_customers", "2026-10-31", 12)
    compute()
    assert snap(product, "profit_per_customer").value == pytest.approx(5.0)  # (90 - 30) / 12


def test_a_derived_metric_with_a_zero_divisor_has_no_value(product):
    MetricFactory(code="cost_income_ratio", aggregation="derived", formula="cost * 100 / revenue")
    observe(product, "revenue", "2026-10-01", 0)
    observe(product, "cost", "2026-10-01", 20)
    compute()
    row = snap(product, "cost_income_ratio")
    assert (row.value, row.status) == (None, "none")


def test_a_derived_metric_without_all_its_inputs_gets_no_snapshot(product):
    observe(product, "revenue", "2026-10-01", 80)
    compute()
    assert not Snapshot.objects.filter(metric__code__in=["profit", "margin"]).exists()


def test_derived_metrics_have_previous_and_last_year_values(product):
    for month, revenue, cost in [("2025-10", 100, 50), ("2026-09", 100, 80), ("2026-10", 100, 60)]:
        observe(product, "revenue", f"{month}-01", revenue)
        observe(product, "cost", f"{month}-01", cost)
    compute()
    row = snap(product, "profit")
    assert (row.value, row.previous_value, row.last_year_value) == (40, 20, 50)
    assert row.change_pct == pytest.approx(100.0)  # (40 - 20) / 20
    assert row.yoy_pct == pytest.approx(-20.0)  # (40 - 50) / 50


def test_last_of_a_quarter_is_the_last_day_of_its_last_month_with_figures(product):
    observe(product, "active_customers", "2026-10-31", 100)
    observe(product, "active_customers", "2026-12-15", 90)
    observe(product, "active_customers", "2027-01-01", 500)
    compute("2026-Q4", "quarter")
    assert snap(product, "active_customers", "2026-Q4", "quarter").value == 90


def test_yoy_is_none_when_last_years_value_is_zero(product):
    observe(product, "revenue", "2025-10-05", 0)
    observe(product, "revenue", "2026-10-05", 60)
    compute()
    row = snap(product, "revenue")
    assert (row.last_year_value, row.yoy_pct) == (0, None)


def test_attainment_is_none_when_the_target_is_zero(product):
    observe(product, "revenue", "2026-10-05", 60)
    target(product, "revenue", "2026-10-01", 0, -10, -20)
    compute()
    assert snap(product, "revenue").attainment_pct is None


def test_attainment_of_a_lower_is_better_metric_at_zero_is_none(product):
    observe(product, "default_rate", "2026-10-05", 0)
    target(product, "default_rate", "2026-10-01", 1.5, 1.8, 2.0)
    compute()
    row = snap(product, "default_rate")
    assert (row.attainment_pct, row.status) == (None, "green")


def test_backfill_is_one_statement_over_all_its_periods(product):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for month in ["2025-10", "2026-08", "2026-09", "2026-10"]:
        observe(product, "revenue", f"{month}-01", 10)
    with CaptureQueriesContext(connection) as queries:
        compute("2026-08", "month", through="2026-10")
    assert sum("INSERT INTO kpis_snapshot" in q["sql"] for q in queries.captured_queries) == 1
    assert snap(product, "revenue", "2026-10").last_year_value == 10  # 2025-10, read in the same pass


def test_backfill_values_equal_period_by_period_computation(product):
    for day, value in [("2025-09-03", 4), ("2025-10-09", 7), ("2026-08-01", 9), ("2026-09-30", 11),
                       ("2026-10-01", 13)]:
        observe(product, "revenue", day, value)
        observe(product, "cost", day, value / 2)
    compute("2026-08", "month", through="2026-10")
    together = sorted(Snapshot.objects.values_list("metric__code", "period", "value", "previous_value",
                                                   "last_year_value"))
    Snapshot.objects.all().delete()
    for period in ["2026-08", "2026-09", "2026-10"]:
        compute(period)
    assert sorted(Snapshot.objects.values_list("metric__code", "period", "value", "previous_value",
                                               "last_year_value")) == together


def test_a_computation_without_alerts_still_reports_its_progress_as_complete():
    reported = []
    services.kpi_snapshots_compute(period="2026-03", granularity="month", through="2026-04", alerts=False,
                                   progress=lambda done, total: reported.append((done, total)))
    assert reported[-1] == (2, 2)
