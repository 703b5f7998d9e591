"""Celery tasks of webhooks: thin, safe to re-run (a delivery not due or already sent is skipped)."""
from celery import shared_task

from . import services


@shared_task(name="webhooks.tasks.deliver_webhook", ignore_result=True)
def deliver_webhook(delivery_id: int) -> None:
    """Send one delivery if it is due; a failure is logged and scheduled with backoff (no Celery retry)."""
    services.delivery_attempt(delivery_id=delivery_id)


@shared_task(name="webhooks.tasks.send_due_webhooks", ignore_result=True)
def send_due_webhooks() -> int:
    """Beat, every minute: queue the deliveries whose retry is due, or that the broker lost."""
    ids = services.due_deliveries()
    services.enqueue_deliveries(ids)
    return len(ids)
