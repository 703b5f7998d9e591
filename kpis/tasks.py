"""Celery tasks: thin wrappers over kpis.services, safe to re-run."""
from dataclasses import asdict

from celery import shared_task
from django.utils import timezone

from . import services
from .choices import Granularity
from .periods import period_containing


@shared_task(bind=True, name="kpis.tasks.compute_kpi_snapshots")
def compute_kpi_snapshots(self, period: str, granularity: str, through: str | None = None) -> dict:
    """Compute the snapshots of a period (or a range of periods), reporting progress as periods complete."""

    def report(done, total):
        self.update_state(state="PROGRESS", meta={"done": done, "total": total})

    result = services.kpi_snapshots_compute(period=period, granularity=granularity, through=through, progress=report)
    return asdict(result)


@shared_task(name="kpis.tasks.compute_recent_kpi_snapshots")
def compute_recent_kpi_snapshots() -> dict:
    """Nightly: the previous and the current month and quarter (late figures still change the previous one)."""
    today = timezone.localdate()
    results = {}
    for granularity in Granularity.values:
        current = period_containing(today, granularity)
        result = services.kpi_snapshots_compute(period=current.previous().label, granularity=granularity,
                                                through=current.label)
        results[granularity] = asdict(result)
    return results


@shared_task(name="kpis.tasks.recompute_stale_kpi_snapshots")
def recompute_stale_kpi_snapshots() -> dict:
    """Debounced after ingestion, and swept every minute by the beat: recompute the snapshots marked stale."""
    return asdict(services.kpi_snapshots_recompute_stale())


@shared_task(name="kpis.tasks.ensure_observation_partitions")
def ensure_observation_partitions() -> list[str]:
    """Daily: this month's and the next months' observation partitions exist before their figures arrive."""
    from .partitions import observation_partitions_ahead

    return observation_partitions_ahead(today=timezone.localdate())
