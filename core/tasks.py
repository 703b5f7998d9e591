from celery import shared_task

from .verification import audit_verification_run


@shared_task(ignore_result=True)
def verify_audit_chain():
    """Beat, nightly: verify the audit chain, record the run, notify administrators of a break."""
    run = audit_verification_run()
    return {"intact": run.intact, "entries_checked": run.entries_checked}
