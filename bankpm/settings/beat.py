"""Periodic tasks of the domain apps, one entry per app so that apps do not edit each other's lines."""
from celery.schedules import crontab  # noqa: F401  (used by app entries)

BEAT_SCHEDULE = {
    # core: anchor the audit chain every hour; the nightly anchor also goes to the administrators
    "core-audit-checkpoint": {"task": "core.tasks.checkpoint_audit_chain", "schedule": crontab(minute=5)},
    "core-audit-checkpoint-nightly": {
        "task": "core.tasks.checkpoint_audit_chain", "schedule": crontab(hour=2, minute=0),
        "kwargs": {"notify_admins": True},
    },
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
