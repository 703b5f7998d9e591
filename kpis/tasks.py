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
        services.task_run_heartbeat(task_id=self.request.id)

    services.task_run_heartbeat(task_id=self.request.id)

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


@shared_task(name="kpis.tasks.sweep_task_runs")
def sweep_task_runs() -> dict:
    """Beat, every minute: re-publish runs nobody picked up, fail the ones whose worker went silent."""
    return services.task_runs_sweep()
