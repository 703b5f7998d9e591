"""Periodic tasks of the domain apps, one entry per app so that apps do not edit each other's lines."""
from celery.schedules import crontab  # noqa: F401  (used by app entries)

BEAT_SCHEDULE = {
    # lifecycle: overdue approval steps, reminders and escalation
    "lifecycle-mark-overdue-steps": {
        "task": "lifecycle.tasks.mark_overdue_steps", "schedule": crontab(hour=7, minute=0),
    },
    # requirements: (none yet)
    # kpis: nightly KPI snapshots
    "kpis-nightly-snapshots": {
        "task": "kpis.tasks.compute_recent_kpi_snapshots",
        "schedule": crontab(hour=1, minute=30),
    },
    # kpis: requested computations that no worker picked up, or whose worker died
    "kpis-sweep-task-runs": {"task": "kpis.tasks.sweep_task_runs", "schedule": 60.0},
}
