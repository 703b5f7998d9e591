"""Periodic tasks of the domain apps, one entry per app so that apps do not edit each other's lines."""
from celery.schedules import crontab  # noqa: F401  (used by app entries)

BEAT_SCHEDULE = {
    # core: nightly audit-chain verification (administrators are notified of a break)
    "core-verify-audit-chain": {
        "task": "core.tasks.verify_audit_chain", "schedule": crontab(hour=2, minute=15),
    },
    # core: anchor the audit chain every minute (signed); the nightly anchor also goes to the administrators
    "core-audit-checkpoint": {"task": "core.tasks.checkpoint_audit_chain", "schedule": 60.0},
    "core-audit-checkpoint-nightly": {
        "task": "core.tasks.checkpoint_audit_chain", "schedule": crontab(hour=2, minute=0),
        "kwargs": {"notify_admins": True},
    },
    # core: fold the row-count deltas of large tables (core.counts) so that reading a count stays one small sum
    "core-compact-row-counts": {"task": "core.tasks.compact_row_counts", "schedule": crontab(minute="*/10")},
    # core: Idempotency-Key answers are kept 24 hours
    "core-purge-idempotency-records": {"task": "core.tasks.purge_idempotency_records", "schedule": crontab(minute=20)},
    # lifecycle: overdue approval steps, reminders and escalation
    "lifecycle-mark-overdue-steps": {
        "task": "lifecycle.tasks.mark_overdue_steps", "schedule": crontab(hour=7, minute=0),
    },
    # lifecycle: approval conditions, reminders before due and overdue escalation
    "lifecycle-remind-conditions": {
        "task": "lifecycle.tasks.remind_conditions", "schedule": crontab(hour=7, minute=5),
    },
    # requirements: (none yet)
    # exits: overdue aftercare tasks remind their owners
    "exits-remind-overdue-tasks": {
        "task": "exits.tasks.remind_overdue_exit_tasks", "schedule": crontab(hour=7, minute=10),
    },
    # changes: scheduled terms versions come into force at the start of their day
    "changes-activate-terms-versions": {
        "task": "changes.tasks.activate_terms_versions", "schedule": crontab(hour=0, minute=1),
    },
    # reports: portfolio packs of the month and quarter just closed (kept; built once per period and language)
    "reports-build-portfolio-packs": {
        "task": "reports.tasks.build_portfolio_packs", "schedule": crontab(hour=3, minute=30),
    },
    # kpis: nightly KPI snapshots
    "kpis-nightly-snapshots": {
        "task": "kpis.tasks.compute_recent_kpi_snapshots",
        "schedule": crontab(hour=1, minute=30),
    },
    # kpis: snapshots marked stale by ingestion (the debounced task's safety net), and partitions ahead
    "kpis-recompute-stale-snapshots": {"task": "kpis.tasks.recompute_stale_kpi_snapshots", "schedule": 60.0},
    "kpis-observation-partitions": {
        "task": "kpis.tasks.ensure_observation_partitions", "schedule": crontab(hour=0, minute=15),
    },
    # risks: owners of risks past their review date are reminded
    "risks-remind-overdue-reviews": {
        "task": "risks.tasks.remind_overdue_reviews", "schedule": crontab(hour=7, minute=15),
    },
    # complaints: overdue complaints remind their managers and escalate
    "complaints-remind-overdue": {
        "task": "complaints.tasks.remind_overdue_complaints", "schedule": crontab(hour=7, minute=20),
    },
    # sso: LDAP users' groups re-read (API tokens see no session re-check)
    "sso-recheck-ldap-users": {"task": "sso.tasks.recheck_ldap_users", "schedule": crontab(minute="*/10")},
    # webhooks: retries with backoff, and deliveries the broker lost
    "webhooks-send-due": {"task": "webhooks.tasks.send_due_webhooks", "schedule": 60.0},
    # reviews: periodic product reviews opened 30 days before due (as the system), overdue ones escalated
    "reviews-open-due": {"task": "reviews.tasks.open_due_reviews", "schedule": crontab(hour=6, minute=30)},
    "reviews-escalate-overdue": {"task": "reviews.tasks.escalate_overdue_reviews",
                                 "schedule": crontab(hour=7, minute=25)},
    # kpis: requested computations that no worker picked up, or whose worker died
    "kpis-sweep-task-runs": {"task": "kpis.tasks.sweep_task_runs", "schedule": 60.0},
}
