"""Celery tasks: thin wrappers around the services, safe to re-run."""
from celery import shared_task

from . import services


@shared_task
def remind_overdue_reviews():
    """Daily beat: remind owners of risks whose review date has passed (once per due date)."""
    return services.risk_reviews_remind_overdue()
