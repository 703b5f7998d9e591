from celery import shared_task


@shared_task
def remind_overdue_complaints() -> dict:
    """Daily: overdue complaints remind their product's manager and escalate (safe to re-run: once a day)."""
    from .services import complaints_remind_overdue

    return complaints_remind_overdue()
