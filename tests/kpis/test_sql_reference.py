"""The snapshot statement (kpis/sql.py: one aggregate per needed period, `last` from the greatest (day, value) pair,
previous and last year's values by window frames, the rows staged then written) against values computed here in
Python from the same observations, on every row: months and quarters, a backfill and a single period, with gaps
(days, whole months and a product without last year's figures), every aggregation, and both ways of writing."""
import random
from collections import defaultdict
from datetime import date, timedelta

import pytest

from kpis import services
from kpis.models import Observation, Snapshot
from kpis.periods import add_months, period_containing
from tests.factories import MetricFactory, ProductFactory, metric

pytestmark = pytest.mark.django_db

CODES = ("revenue", "csat", "balance", "test_peak", "test_floor")  # sum, avg, last, max, min


@pytest.fixture
def figures():
    """Three products' daily figures from 2025-01 to 2026-06 with random gaps; returns {(product, metric, day): v}."""
    MetricFactory(code="test_peak", aggregation="max")
    MetricFactory(code="test_floor", aggregation="min")
    rng = random.Random(27)
    products = [ProductFactory(code=f"REF-{i}") for i in range(3)]
    rows, values, metrics = [], {}, {code: metric(code) for code in CODES}
    day = date(2025, 1, 1)
    while day < date(2026, 7, 1):
        for index, product in enumerate(products):
            if index == 2 and day < date(2025, 9, 1):  # a product launched later: no last year for most months
                continue
            if day.month == 3 and index == 1:  # a whole month without figures
                continue
            for code in CODES:
                if rng.random() < 0.25:  # missing days
                    continue
                value = round(rng.uniform(-50, 150), 3)
                rows.append(Observation(product=product, metric=metrics[code], date=day, value=value))
                values[(product.pk, metrics[code].pk, day)] = value
        day += timedelta(days=1)
    Observation.objects.bulk_create(rows)
    return values


def expected(values, granularity):
    """{(product, metric, period start): value} by each metric's own aggregation, computed in Python."""
    groups = defaultdict(list)
    for (product, metric_id, day), value in values.items():
        groups[(product, metric_id, period_containing(day, granularity).start)].append((day, value))
    aggregation = {m.pk: m.aggregation for m in map(metric, CODES)}
    result = {}
    for key, days in groups.items():
        figures = [v for _d, v in days]
        result[key] = {"sum": sum(figures), "avg": sum(figures) / len(figures), "max": max(figures),
                       "min": min(figures), "last": max(days)[1]}[aggregation[key[1]]]
    return result


def assert_every_row_equal(values, granularity, first, last):
    months = 1 if granularity == "month" else 3
    by_period = expected(values, granularity)
    snapshots = Snapshot.objects.filter(granularity=granularity, period_start__gte=first, period_start__lte=last,
                                        metric__code__in=CODES)
    wanted = {key for key in by_period if first <= key[2] <= last}
    assert {(s.product_id, s.metric_id, s.period_start) for s in snapshots} == wanted
    for s in snapshots:
        key = (s.product_id, s.metric_id)
        assert s.value == pytest.approx(by_period[(*key, s.period_start)], rel=1e-12)
        assert s.previous_value == pytest.approx(by_period.get((*key, add_months(s.period_start, -months))),
                                                 rel=1e-12)
        assert s.last_year_value == pytest.approx(by_period.get((*key, add_months(s.period_start, -12))), rel=1e-12)


@pytest.mark.parametrize(("granularity", "first", "last"), [
    ("month", "2025-07", "2026-06"), ("month", "2026-03", None), ("quarter", "2025-Q3", "2026-Q2"),
])
def test_every_snapshot_equals_the_values_computed_from_the_figures(figures, granularity, first, last):
    services.kpi_snapshots_compute(period=first, granularity=granularity, through=last)
    start = services.parse_period(first, granularity).start
    end = services.parse_period(last or first, granularity).start
    assert_every_row_equal(figures, granularity, start, end)


def test_a_recomputation_updates_the_rows_in_place_with_the_new_figures(figures):
    services.kpi_snapshots_compute(period="2026-05", granularity="month", through="2026-06")
    rows = set(Snapshot.objects.values_list("id", "product_id", "metric_id", "period_start"))
    product = Snapshot.objects.first().product
    Observation.objects.filter(product=product, metric=metric("balance"), date=date(2026, 6, 30)).delete()
    Observation.objects.create(product=product, metric=metric("balance"), date=date(2026, 6, 30), value=999.0)
    figures[(product.pk, metric("balance").pk, date(2026, 6, 30))] = 999.0
    services.kpi_snapshots_compute(period="2026-05", granularity="month", through="2026-06")
    assert_every_row_equal(figures, "month", date(2026, 5, 1), date(2026, 6, 1))
    assert set(Snapshot.objects.values_list("id", "product_id", "metric_id", "period_start")) == rows  # in place
    assert Snapshot.objects.get(product=product, metric=metric("balance"), period="2026-06").value == 999.0


def test_a_new_period_written_meanwhile_by_another_run_falls_back_to_the_upsert(figures, monkeypatch):
    """The plain insert is chosen when no snapshot of the periods exists; if another run wrote one in between,
    the insert fails in its savepoint and the upsert writes every row."""
    services.kpi_snapshots_compute(period="2026-06", granularity="month")
    Snapshot.objects.filter(product__code="REF-0").delete()
    chosen = []

    def execute_spy(cursor_execute):
        def execute(statement, params=None):
            if statement.startswith("SELECT EXISTS (SELECT 1 FROM kpis_snapshot"):  # as if none existed yet
                chosen.append("insert")
                return cursor_execute("SELECT false", None)
            return cursor_execute(statement, params)
        return execute

    from django.db import connection

    original = connection.cursor

    def cursor():
        wrapped = original()
        wrapped.execute = execute_spy(wrapped.execute)
        return wrapped
    monkeypatch.setattr(connection, "cursor", cursor)
    services.kpi_snapshots_compute(period="2026-06", granularity="month")
    monkeypatch.undo()
    assert chosen == ["insert"]
    assert_every_row_equal(figures, "month", date(2026, 6, 1), date(2026, 6, 1))


def test_every_snapshot_by_dimension_equals_the_values_computed_from_the_figures(db):
    """kpis/dimension_sql.py: a sum metric straight from its rows, the others from each member's day roll-up (avg,
    max, min of the day's rows; sum for `last`), over two months so that the previous value is checked too."""
    from kpis.models import DimensionObservation, DimensionSnapshot
    from tests.factories import region

    MetricFactory(code="test_peak", aggregation="max")
    MetricFactory(code="test_floor", aggregation="min")
    region("sh", "上海", "Shanghai")
    region("bj", "北京", "Beijing")
    rng = random.Random(21)
    product = ProductFactory(code="DIM-REF")
    metrics = {code: metric(code) for code in CODES}
    rows, days = [], defaultdict(list)  # (metric, dimension, member, day) -> the values of its rows
    day = date(2026, 5, 1)
    while day < date(2026, 7, 1):
        for code in CODES:
            for segment in ("youth", "affluent"):
                for area in ("sh", "bj"):
                    if rng.random() < 0.3:
                        continue
                    value = round(rng.uniform(1, 100), 3)
                    rows.append(DimensionObservation(product=product, metric=metrics[code], date=day,
                                                     segment=segment, region=area, value=value))
                    days[(code, "segment", segment, day)].append(value)
                    days[(code, "region", area, day)].append(value)
        day += timedelta(days=1)
    DimensionObservation.objects.bulk_create(rows)
    roll = {"sum": sum, "last": sum, "avg": lambda v: sum(v) / len(v), "max": max, "min": min}
    by_period = defaultdict(list)
    for (code, dimension, member, each), values in days.items():
        day_value = roll[metrics[code].aggregation](values)
        by_period[(code, dimension, member, each.replace(day=1))].append((each, day_value))
    pick = {"sum": lambda d: sum(v for _d, v in d), "avg": lambda d: sum(v for _d, v in d) / len(d),
            "max": lambda d: max(v for _d, v in d), "min": lambda d: min(v for _d, v in d), "last": lambda d: max(d)[1]}
    wanted = {key: pick[metrics[key[0]].aggregation](d) for key, d in by_period.items()}
    services.kpi_snapshots_compute(period="2026-06", granularity="month")
    found = DimensionSnapshot.objects.filter(product=product, period="2026-06", metric__code__in=CODES)
    assert {(s.metric.code, s.dimension, s.member) for s in found} == {
        (code, dimension, member) for code, dimension, member, start in wanted if start == date(2026, 6, 1)}
    for s in found:
        assert s.value == pytest.approx(wanted[(s.metric.code, s.dimension, s.member, date(2026, 6, 1))], rel=1e-12)
        assert s.previous_value == pytest.approx(wanted.get((s.metric.code, s.dimension, s.member, date(2026, 5, 1))),
                                                 rel=1e-12)
