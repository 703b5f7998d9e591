"""Celery tasks of the core: verifying and anchoring the audit chain."""
from celery import shared_task
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_noop

from .audit import audit_checkpoint
from .verification import audit_verification_complete, audit_verification_run


@shared_task(ignore_result=True)
def verify_audit_chain():
    """Beat, nightly: verify the audit chain, record the run, notify administrators of a break."""
    run = audit_verification_run()
    return {"intact": run.intact, "entries_checked": run.entries_checked}


@shared_task(bind=True, name="core.tasks.verify_audit_chain_now")
def verify_audit_chain_now(self, run_id: str):
    """An administrator's verification (from the audit page): progress goes to the result backend as it runs."""
    def report(done, total):
        self.update_state(state="PROGRESS", meta={"done": done, "total": total})

    verification = audit_verification_complete(run_id=run_id, progress=report)
    return {"intact": verification.intact, "entries_checked": verification.entries_checked} if verification else None


@shared_task(name="core.tasks.checkpoint_audit_chain")
def checkpoint_audit_chain(notify_admins: bool = False) -> dict:
    """Beat: an hourly checkpoint; the nightly one is also sent to the administrators (in-app and e-mail), a copy
    outside the database that whoever rewrites the tables cannot reach."""
    checkpoint = audit_checkpoint()
    if notify_admins:
        from notifications.services import notify

        admins = get_user_model().objects.filter(Q(is_superuser=True) | Q(role="administrator"), is_active=True)
        notify(recipients=admins, title_code=gettext_noop("审计锚点 #%(id)s：%(count)s 条记录"),
               body_code=gettext_noop(
                   "最后一条记录 #%(head)s，哈希 %(hash)s。如 verify_audit 报告的锚点与此不符，说明审计记录被删改。"),
               params={"id": checkpoint.pk, "count": checkpoint.entry_count, "head": checkpoint.head_id,
                       "hash": checkpoint.head_hash})
    return {"checkpoint": checkpoint.pk, "entries": checkpoint.entry_count, "head_hash": checkpoint.head_hash}


@shared_task(ignore_result=True)
def compact_row_counts():
    """Beat, every 10 minutes: fold the row-count deltas of the counted tables (core.counts) into one row each."""
    from .counts import compact_row_counts as compact

    compact()


@shared_task(name="core.tasks.purge_idempotency_records", ignore_result=True)
def purge_idempotency_records() -> int:
    """Beat, hourly: forget Idempotency-Key answers past their 24-hour window."""
    from .idempotency import idempotency_purge

    return idempotency_purge()
