"""Celery tasks of the approval engine: thin wrappers around the services, safe to re-run. Their names are the
ones they had in lifecycle, so beat schedules and queued messages keep working."""
from celery import shared_task

from . import services


@shared_task(name="lifecycle.tasks.mark_overdue_steps")
def mark_overdue_steps():
    """Daily beat: flag overdue approval steps, remind reviewers, escalate to senior management."""
    return services.approval_steps_mark_overdue()


@shared_task(name="lifecycle.tasks.remind_conditions")
def remind_conditions():
    """Daily beat: remind condition owners before the due date, escalate overdue conditions."""
    from .conditions import conditions_remind

    return conditions_remind()
