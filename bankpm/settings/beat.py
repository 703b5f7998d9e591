"""Periodic tasks of the domain apps, one entry per app so that apps do not edit each other's lines."""
from celery.schedules import crontab  # noqa: F401  (used by app entries)

BEAT_SCHEDULE = {
    # lifecycle: overdue approval steps, reminders and escalation
    "lifecycle-mark-overdue-steps": {
        "task": "lifecycle.tasks.mark_overdue_steps", "schedule": crontab(hour=7, minute=0),
    },
    # requirements: (none yet)
    # changes: scheduled terms versions come into force at the start of their day
    "changes-activate-terms-versions": {
        "task": "changes.tasks.activate_terms_versions", "schedule": crontab(hour=0, minute=1),
    },
    # kpis: nightly KPI snapshots
    "kpis-nightly-snapshots": {
        "task": "kpis.tasks.compute_recent_kpi_snapshots",
        "schedule": crontab(hour=1, minute=30),
    },
}
