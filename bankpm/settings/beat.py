"""Periodic tasks of the domain apps, one entry per app so that apps do not edit each other's lines."""
from celery.schedules import crontab  # noqa: F401  (used by app entries)

BEAT_SCHEDULE = {
    # lifecycle: overdue approval steps, reminders and escalation
    "lifecycle-mark-overdue-steps": {
        "task": "lifecycle.tasks.mark_overdue_steps", "schedule": crontab(hour=7, minute=0),
    },
    # requirements: (none yet)
    # exits: overdue aftercare tasks remind their owners
    "exits-remind-overdue-tasks": {
        "task": "exits.tasks.remind_overdue_exit_tasks", "schedule": crontab(hour=7, minute=10),
    },
    # kpis: nightly KPI snapshots
    "kpis-nightly-snapshots": {
        "task": "kpis.tasks.compute_recent_kpi_snapshots",
        "schedule": crontab(hour=1, minute=30),
    },
}
