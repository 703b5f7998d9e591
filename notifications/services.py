"""Notifications: rows are written in the caller's transaction; e-mails go out after it commits.

The Notification table is the outbox: the request never waits on the broker (bankpm.broker), and if the broker
is down when the transaction commits, the rows stay unsent and the beat task `flush_notification_outbox` sends
them once the broker is back. Nothing is lost.
"""
import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from bankpm.broker import publish

from .kinds import classify, group_key
from .models import LOCALISED, Notification, render_message

logger = logging.getLogger(__name__)


def notify(
    *, recipients: Iterable, title: str = "", body: str = "", url: str = "", email: bool = True,
    title_code: str = "", body_code: str = "", params: dict | None = None, group: str = "",
) -> list[Notification]:
    """Create one notification per distinct recipient and queue their e-mails after commit.

    With `title_code` / `body_code` (a catalogue entry marked with gettext_noop) and `params`, each recipient reads
    the message in their own language, on the page and in the mail; `localised(...)` makes a parameter such as a
    status label follow the reader's language too. `title` and `body` are then filled in when not given. The kind
    and whether it asks the reader to act come from the code (notifications.kinds); `group` puts related messages
    on one line of the list (e.g. `review:12`: every department's decision on one review).
    """
    return notify_many(messages=[dict(recipients=recipients, title=title, body=body, url=url, email=email,
                                      title_code=title_code, body_code=body_code, params=params, group=group)])


def notify_many(*, messages: Iterable[dict]) -> list[Notification]:
    """Several messages (each the keyword arguments of `notify`) in one insert and one e-mail hand-over: what a
    computation that opens many alerts at once sends."""
    rows = []
    for message in messages:
        rows += _notifications(**message)
    rows = Notification.objects.bulk_create(rows)
    ids = [row.pk for row in rows if row.send_email]
    if ids:
        transaction.on_commit(lambda: enqueue_emails(ids))
    return rows


def _notifications(*, recipients: Iterable, title: str = "", body: str = "", url: str = "", email: bool = True,
                   title_code: str = "", body_code: str = "", params: dict | None = None,
                   group: str = "") -> list[Notification]:
    params = params or {}
    kind, action = classify(title_code)
    key = group_key(kind=kind, url=url, params=params, group=group)
    title = title or render_message(title_code, params, fallback="")
    body = body or render_message(body_code, params, fallback="")
    unique = {user.pk: user for user in recipients if user is not None and user.is_active}
    return [Notification(recipient=user, title=title[:200], body=body, url=url, send_email=email,
                         title_code=title_code, body_code=body_code, params=params, kind=kind, group_key=key,
                         action_required=action)
            for user in unique.values()]


def localised(value) -> dict:
    """A parameter in every language (a lazy label, or a callable such as `lambda: metric.display_name`)."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = str(value() if callable(value) else value)
    return {LOCALISED: texts}


def enqueue_emails(ids: list[int]) -> None:
    """Hand the e-mails to Celery off the request thread; on a broker outage the outbox sweeper sends them later."""
    from .tasks import send_notification_emails

    publish(lambda: send_notification_emails.delay(ids), what=f"{len(ids)} notification e-mails")


# A refused e-mail is retried after 1, 2, 4 … minutes (at most a day apart), MAX_EMAIL_ATTEMPTS times in all.
MAX_EMAIL_ATTEMPTS = 8
MAX_BACKOFF = timedelta(days=1)


def email_backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _due(now):
    return (Notification.objects.filter(send_email=True, emailed_at__isnull=True,
                                        email_attempts__lt=MAX_EMAIL_ATTEMPTS)
            .filter(Q(email_next_attempt_at__isnull=True) | Q(email_next_attempt_at__lte=now)))


def send_emails(*, ids: Iterable[int] | None = None, limit: int = 500) -> int:
    """Send due e-mails (the given ids, or the oldest in the outbox), one row per transaction: a row is claimed
    under its lock, sent and marked before the next, so a refused address never rolls back or re-sends the rows
    already sent. A failure keeps its error and is retried with backoff. Returns how many were sent."""
    due = _due(timezone.now()).order_by("id")
    if ids is not None:
        due = due.filter(pk__in=list(ids))
    sent = 0
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        sent += _send_one(pk)
    return sent


def _send_one(pk: int) -> int:
    with transaction.atomic():
        note = (_due(timezone.now()).select_for_update(skip_locked=True, of=("self",)).select_related("recipient")
                .filter(pk=pk).first())
        if note is None:  # sent or claimed by a concurrent sweep meanwhile
            return 0
        try:
            if note.recipient.email:
                # In the recipient's language (their last choice on the switcher), whoever sent it.
                with translation.override(note.recipient.language or settings.LANGUAGE_CODE):
                    subject, text = note.display_title, note.display_body
                body = f"{text}\n\n{note.url}".strip()
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [note.recipient.email])
        except Exception as error:  # noqa: BLE001 - any transport error; kept on the row and retried later
            note.email_attempts += 1
            note.email_error = f"{error.__class__.__name__}: {error}"[:2000]
            note.email_next_attempt_at = timezone.now() + email_backoff(note.email_attempts)
            note.save(update_fields=["email_attempts", "email_error", "email_next_attempt_at"])
            logger.warning("E-mail of notification %s failed (attempt %s): %s", pk, note.email_attempts, error)
            return 0
        note.emailed_at = timezone.now()
        note.email_attempts += 1
        note.email_error = ""
        note.save(update_fields=["emailed_at", "email_attempts", "email_error"])
        return 1


def mark_read(*, user, ids: Iterable[int] | None = None, groups: Iterable[str] | None = None) -> int:
    """Mark the user's notifications read: the given ids, the given groups, or all of them."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    user.__dict__.pop("unread_notification_count", None)  # read with the session user (bankpm.auth)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    if groups is not None:
        qs = qs.filter(group_key__in=list(groups))
    return qs.update(read_at=timezone.now())
