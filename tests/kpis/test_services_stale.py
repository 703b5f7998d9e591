"""Fresh figures: ingestion marks exactly the affected product × period snapshots, a debounced task recomputes them."""
from datetime import date

import pytest

from kpis import services
from kpis.models import Alert, Snapshot, StalePeriod
from tests.factories import ProductFactory, observe, target

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(pm):
    return ProductFactory(code="LN-S", owner=pm, category="loan")


def ingest(user, *items):
    return services.observations_ingest(user=user, items=[
        {"product": p, "metric": m, "date": d, "value": v} for p, m, d, v in items])


def marks():
    return set(StalePeriod.objects.values_list("product__code", "granularity", "period_start"))


def test_figures_of_a_month_mark_its_month_quarter_the_next_ones_and_a_year_later(pm, product):
    ingest(pm, ("LN-S", "revenue", "2026-03-05", 1), ("LN-S", "revenue", "2026-03-20", 2))
    assert marks() == {
        ("LN-S", "month", date(2026, 3, 1)), ("LN-S", "month", date(2026, 4, 1)), ("LN-S", "month", date(2027, 3, 1)),
        ("LN-S", "quarter", date(2026, 1, 1)), ("LN-S", "quarter", date(2026, 4, 1)),
        ("LN-S", "quarter", date(2027, 1, 1)),
    }


def test_only_the_products_sent_are_marked(pm, product):
    ProductFactory(code="LN-OTHER", owner=pm)
    ingest(pm, ("LN-S", "revenue", "2026-03-05", 1))
    assert {code for code, _g, _s in marks()} == {"LN-S"}


def test_a_dry_run_marks_nothing(pm, product):
    services.observations_ingest(user=pm, dry_run=True, items=[
        {"product": "LN-S", "metric": "revenue", "date": "2026-03-05", "value": 1}])
    assert not StalePeriod.objects.exists()


def test_a_correction_to_a_past_month_is_recomputed_with_its_neighbours(pm, product):
    for month in ("2026-03", "2026-04"):
        observe(product, "revenue", f"{month}-10", 10)
    services.kpi_snapshots_compute(period="2026-03", granularity="month", through="2026-04")
    ingest(pm, ("LN-S", "revenue", "2026-03-10", 40))
    services.kpi_snapshots_recompute_stale()
    march = Snapshot.objects.get(product=product, metric__code="revenue", period="2026-03")
    april = Snapshot.objects.get(product=product, metric__code="revenue", period="2026-04")
    assert march.value == 40
    assert (april.previous_value, april.change_pct) == (40, pytest.approx(-75.0))  # (10 - 40) / 40
    assert Snapshot.objects.get(product=product, metric__code="revenue", period="2026-Q1").value == 40
    assert not StalePeriod.objects.exists()


def test_recomputation_leaves_other_products_snapshots_alone(pm, product):
    other = ProductFactory(code="LN-OTHER", owner=pm)
    observe(other, "revenue", "2026-03-10", 5)
    services.kpi_snapshots_compute(period="2026-03", granularity="month")
    before = Snapshot.objects.get(product=other, metric__code="revenue").computed_at
    ingest(pm, ("LN-S", "revenue", "2026-03-10", 40))
    services.kpi_snapshots_recompute_stale()
    assert Snapshot.objects.get(product=other, metric__code="revenue").computed_at == before
    assert Snapshot.objects.get(product=product, metric__code="revenue", period="2026-03").value == 40


def test_recomputation_opens_and_resolves_alerts(pm, product):
    target(product, "default_rate", "2026-03-01", 1.5, 1.8, 2.0)
    ingest(pm, ("LN-S", "default_rate", "2026-03-10", 2.5))
    assert services.kpi_snapshots_recompute_stale().alerts_opened == 1
    ingest(pm, ("LN-S", "default_rate", "2026-03-10", 1.0))
    assert services.kpi_snapshots_recompute_stale().alerts_resolved == 1
    assert Alert.objects.get().status == "resolved"


def test_a_managers_figures_reach_the_dashboard_without_anyone_recomputing(
    pm, product, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ingest(pm, ("LN-S", "revenue", "2026-03-10", 40))
    assert Snapshot.objects.get(product=product, metric__code="revenue", period="2026-03").value == 40


def test_a_burst_of_batches_queues_one_recomputation(pm, product, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr("kpis.tasks.recompute_stale_kpi_snapshots.apply_async", lambda **kw: queued.append(kw))
    from django.core.cache import cache

    cache.delete(services._STALE_SCHEDULED_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        ingest(pm, ("LN-S", "revenue", "2026-03-10", 40))
    with django_capture_on_commit_callbacks(execute=True):
        ingest(pm, ("LN-S", "revenue", "2026-03-11", 41))
    assert queued == [{"countdown": services.STALE_RECOMPUTE_DELAY_SECONDS}]
    cache.delete(services._STALE_SCHEDULED_KEY)


def test_a_batch_whose_recomputation_could_not_be_queued_lets_the_next_batch_queue_it(
        pm, product, django_capture_on_commit_callbacks, monkeypatch):
    queued = []

    def broker(**kw):
        if not queued:
            queued.append("refused")
            raise ConnectionError("broker down")
        queued.append(kw)

    monkeypatch.setattr("kpis.tasks.recompute_stale_kpi_snapshots.apply_async", broker)
    from django.core.cache import cache

    cache.delete(services._STALE_SCHEDULED_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        ingest(pm, ("LN-S", "revenue", "2026-03-10", 40))
    with django_capture_on_commit_callbacks(execute=True):
        ingest(pm, ("LN-S", "revenue", "2026-03-11", 41))
    assert queued == ["refused", {"countdown": services.STALE_RECOMPUTE_DELAY_SECONDS}]
    cache.delete(services._STALE_SCHEDULED_KEY)


def test_the_beat_sweep_recomputes_marks_left_by_a_lost_queue(pm, product):
    from kpis.tasks import recompute_stale_kpi_snapshots

    ingest(pm, ("LN-S", "revenue", "2026-03-10", 40))
    assert recompute_stale_kpi_snapshots()["snapshots"] >= 1
    assert not StalePeriod.objects.exists()
