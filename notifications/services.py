"""Notifications: rows are written in the caller's transaction; e-mails go out after it commits.

The Notification table is the outbox: the request never waits on the broker (bankpm.broker), and if the broker
is down when the transaction commits, the rows stay unsent and the beat task `flush_notification_outbox` sends
them once the broker is back. Nothing is lost.
"""
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from bankpm.broker import publish

from .models import Notification


def notify(
    *, recipients: Iterable, title: str, body: str = "", url: str = "", email: bool = True
) -> list[Notification]:
    """Create one notification per distinct recipient and queue their e-mails after commit."""
    unique = {user.pk: user for user in recipients if user is not None and user.is_active}
    rows = Notification.objects.bulk_create(
        Notification(recipient=user, title=title[:200], body=body, url=url, send_email=email)
        for user in unique.values()
    )
    ids = [row.pk for row in rows if email]
    if ids:
        transaction.on_commit(lambda: enqueue_emails(ids))
    return rows


def enqueue_emails(ids: list[int]) -> None:
    """Hand the e-mails to Celery off the request thread; on a broker outage the outbox sweeper sends them later."""
    from .tasks import send_notification_emails

    publish(lambda: send_notification_emails.delay(ids), what=f"{len(ids)} notification e-mails")


def send_emails(*, ids: Iterable[int] | None = None, limit: int = 500) -> int:
    """Send unsent e-mails (the given ids, or the oldest in the outbox); each row is claimed under a lock once."""
    sent = 0
    with transaction.atomic():
        pending = Notification.objects.select_for_update(skip_locked=True).select_related("recipient")
        pending = pending.filter(send_email=True, emailed_at__isnull=True).order_by("id")
        if ids is not None:
            pending = pending.filter(pk__in=list(ids))
        for note in pending[:limit]:
            if note.recipient.email:
                body = f"{note.body}\n\n{note.url}".strip()
                send_mail(note.title, body, settings.DEFAULT_FROM_EMAIL, [note.recipient.email])
            note.emailed_at = timezone.now()
            note.save(update_fields=["emailed_at"])
            sent += 1
    return sent


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
