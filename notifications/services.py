"""Notifications: rows are written in the caller's transaction; e-mails go out after it commits.

The Notification table is the outbox: if the broker is down when the transaction commits, the rows stay
unsent and the beat task `flush_notification_outbox` sends them once the broker is back. Nothing is lost.
"""
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from .models import LOCALISED, Notification, render_message

logger = logging.getLogger(__name__)


def notify(
    *, recipients: Iterable, title: str = "", body: str = "", url: str = "", email: bool = True,
    title_code: str = "", body_code: str = "", params: dict | None = None,
) -> list[Notification]:
    """Create one notification per distinct recipient and queue their e-mails after commit.

    With `title_code` / `body_code` (a catalogue entry marked with gettext_noop) and `params`, each recipient reads
    the message in their own language, on the page and in the mail; `localised(...)` makes a parameter such as a
    status label follow the reader's language too. `title` and `body` are then filled in when not given.
    """
    params = params or {}
    title = title or render_message(title_code, params, fallback="")
    body = body or render_message(body_code, params, fallback="")
    unique = {user.pk: user for user in recipients if user is not None and user.is_active}
    rows = Notification.objects.bulk_create(
        Notification(recipient=user, title=title[:200], body=body, url=url, send_email=email,
                     title_code=title_code, body_code=body_code, params=params)
        for user in unique.values()
    )
    ids = [row.pk for row in rows if email]
    if ids:
        transaction.on_commit(lambda: enqueue_emails(ids))
    return rows


def localised(value) -> dict:
    """A parameter in every language (a lazy label, or a callable such as `lambda: metric.display_name`)."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = str(value() if callable(value) else value)
    return {LOCALISED: texts}


def enqueue_emails(ids: list[int]) -> None:
    """Hand the e-mails to Celery; a broker outage is logged, the outbox sweeper retries later."""
    from .tasks import send_notification_emails

    try:
        send_notification_emails.delay(ids)
    except Exception:  # noqa: BLE001 - any broker error; the rows remain in the outbox
        logger.warning("Broker unavailable; %d notification e-mails stay in the outbox", len(ids), exc_info=True)


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
                with translation.override(note.recipient.language or settings.LANGUAGE_CODE):
                    subject, text = note.display_title, note.display_body
                body = f"{text}\n\n{note.url}".strip()
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [note.recipient.email])
            note.emailed_at = timezone.now()
            note.save(update_fields=["emailed_at"])
            sent += 1
    return sent


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
