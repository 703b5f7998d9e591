from celery import shared_task

from . import services


@shared_task
def open_due_reviews() -> int:
    """Daily: open, as the system, the reviews due within their lead time (exactly once however often it runs)."""
    return services.reviews_open_due()


@shared_task
def escalate_overdue_reviews() -> int:
    """Daily: reviews past their due date go to the heads of product and senior management, once."""
    return services.reviews_escalate_overdue()
