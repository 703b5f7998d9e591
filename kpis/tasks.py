"""Celery tasks: thin wrappers over kpis.services, safe to re-run."""
from dataclasses import asdict

from celery import chord, group, shared_task
from django.utils import timezone

from . import services
from .choices import Granularity
from .periods import parse_period, period_containing, period_range

# A backfill of more periods than this fans out over the workers in chunks of FANOUT_CHUNK periods.
FANOUT_THRESHOLD = 12
FANOUT_CHUNK = 4


@shared_task(bind=True, name="kpis.tasks.compute_kpi_snapshots")
def compute_kpi_snapshots(self, period: str, granularity: str, through: str | None = None) -> dict:
    """Compute the snapshots of a period (or a range of periods), reporting progress as periods complete.

    A long backfill on real workers becomes a chord: a group of chunk tasks (snapshots only, one statement each,
    in parallel), then one alert pass over all the periods in order. The chord takes this task's id, so the
    status endpoint keeps polling the same id; the chunks add up their progress under it.
    """
    first = parse_period(period, granularity)
    periods = period_range(first, parse_period(through, granularity) if through else first)
    if len(periods) > FANOUT_THRESHOLD and not self.request.is_eager:
        queue = (self.request.delivery_info or {}).get("routing_key")  # the chunks follow the task's queue
        options = {"queue": queue} if queue else {}
        chunks = [periods[k:k + FANOUT_CHUNK] for k in range(0, len(periods), FANOUT_CHUNK)]
        header = group(compute_kpi_snapshot_chunk.signature(
            (c[0].label, c[-1].label, granularity, self.request.id, len(periods)), **options) for c in chunks)
        _progress_reset(self.request.id)
        return self.replace(chord(header, finish_kpi_backfill.signature((period, granularity, through), **options)))

    def report(done, total):
        self.update_state(state="PROGRESS", meta={"done": done, "total": total})
        services.task_run_heartbeat(task_id=self.request.id)

    services.task_run_heartbeat(task_id=self.request.id)

    result = services.kpi_snapshots_compute(period=period, granularity=granularity, through=through, progress=report)
    return asdict(result)


@shared_task(name="kpis.tasks.compute_kpi_snapshot_chunk")
def compute_kpi_snapshot_chunk(period: str, through: str, granularity: str, parent_id: str, total: int) -> dict:
    """One chunk of a fanned-out backfill: snapshots only (the alert pass runs once all chunks are done)."""
    result = services.kpi_snapshots_compute(period=period, granularity=granularity, through=through, alerts=False)
    done = _progress_add(parent_id, result.periods)
    compute_kpi_snapshots.backend.store_result(parent_id, {"done": done, "total": total}, "PROGRESS")
    return asdict(result)


@shared_task(name="kpis.tasks.finish_kpi_backfill")
def finish_kpi_backfill(chunks: list[dict], period: str, granularity: str, through: str | None) -> dict:
    """The chord's body: alerts over all periods in order, and the backfill's totals."""
    alerts = services.kpi_alerts_reconcile(period=period, granularity=granularity, through=through)
    return {"periods": sum(c["periods"] for c in chunks), "snapshots": sum(c["snapshots"] for c in chunks),
            "alerts_opened": alerts.alerts_opened, "alerts_resolved": alerts.alerts_resolved, "chunks": len(chunks)}


def _progress_key(parent_id: str) -> str:
    return f"kpis:backfill-progress:{parent_id}"


def _progress_reset(parent_id: str) -> None:
    client = getattr(compute_kpi_snapshots.backend, "client", None)
    if client is not None:
        client.delete(_progress_key(parent_id))


def _progress_add(parent_id: str, periods: int) -> int:
    """Periods done across the chunks, counted atomically in the result backend's Redis."""
    client = getattr(compute_kpi_snapshots.backend, "client", None)
    if client is None:
        return periods
    key = _progress_key(parent_id)
    done = client.incrby(key, periods)
    client.expire(key, 24 * 3600)
    return int(done)


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


@shared_task(name="kpis.tasks.sweep_task_runs")
def sweep_task_runs() -> dict:
    """Beat, every minute: re-publish runs nobody picked up, fail the ones whose worker went silent."""
    return services.task_runs_sweep()
