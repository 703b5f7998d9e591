"""Celery tasks: thin wrappers around the services, safe to re-run."""
from celery import shared_task

from . import services


@shared_task
def mark_overdue_steps():
    """Daily beat: flag overdue approval steps, remind reviewers, escalate to senior management."""
    return services.approval_steps_mark_overdue()


@shared_task
def remind_conditions():
    """Daily beat: remind condition owners before the due date, escalate overdue conditions."""
    from .conditions import conditions_remind

    return conditions_remind()
