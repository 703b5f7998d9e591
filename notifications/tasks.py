from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def send_notification_emails(ids):
    return services.send_emails(ids=ids)


@shared_task(ignore_result=True)
def flush_notification_outbox():
    """Beat: send whatever the outbox still holds (e.g. after a broker outage)."""
    return services.send_emails()
