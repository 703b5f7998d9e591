from celery import shared_task


@shared_task
def remind_overdue_exit_tasks() -> int:
    """Daily: remind the owners of overdue aftercare tasks (each once)."""
    from .services import exit_tasks_remind_overdue

    return exit_tasks_remind_overdue()
