"""Periodic tasks of the domain apps, one entry per app so that apps do not edit each other's lines."""
from celery.schedules import crontab  # noqa: F401  (used by app entries)

BEAT_SCHEDULE = {
    # core: nightly audit-chain verification (administrators are notified of a break)
    "core-verify-audit-chain": {
        "task": "core.tasks.verify_audit_chain", "schedule": crontab(hour=2, minute=15),
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
}
