"""The outbox sends each e-mail once: a refused address is retried with backoff and its error kept, while the
rows already sent stay sent."""
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import services
from notifications.models import Notification
from tests.notifications import failing_backend
from tests.notifications.failing_backend import REFUSED, SENT

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def refusing_backend(settings):
    settings.EMAIL_BACKEND = "tests.notifications.failing_backend.RefusingBackend"
    SENT.clear()
    yield
    SENT.clear()


@pytest.fixture
def outbox(make_user):
    users = [make_user(username="ok1", email="ok1@bank.example"), make_user(username="bad", email=REFUSED),
             make_user(username="ok2", email="ok2@bank.example")]
    return Notification.objects.bulk_create(Notification(recipient=u, title=f"通知 {u.username}") for u in users)


def test_one_refused_address_does_not_stop_or_undo_the_others(outbox):
    assert services.send_emails() == 2
    assert sorted(to[0] for to, _ in SENT) == ["ok1@bank.example", "ok2@bank.example"]
    sent = Notification.objects.exclude(recipient__email=REFUSED)
    assert all(n.emailed_at is not None for n in sent)


def test_the_refused_row_keeps_its_error_and_waits_for_its_backoff(outbox):
    before = timezone.now()
    services.send_emails()
    bad = Notification.objects.get(recipient__email=REFUSED)
    assert bad.emailed_at is None and bad.email_attempts == 1
    assert "SMTPRecipientsRefused" in bad.email_error
    assert bad.email_next_attempt_at >= before + timedelta(minutes=1)


def test_a_second_sweep_sends_nothing_again(outbox):
    services.send_emails()
    assert services.send_emails() == 0
    assert len(SENT) == 2  # neither the sent rows nor the refused one (not due yet) go out again


def test_the_refused_row_is_retried_once_due_and_sent_when_the_address_works(outbox, monkeypatch):
    services.send_emails()
    bad = Notification.objects.get(recipient__email=REFUSED)
    Notification.objects.filter(pk=bad.pk).update(email_next_attempt_at=timezone.now() - timedelta(seconds=1))
    monkeypatch.setattr(failing_backend, "REFUSED", "nobody@bank.example")
    assert services.send_emails() == 1
    bad.refresh_from_db()
    assert bad.emailed_at is not None and bad.email_error == "" and bad.email_attempts == 2
    assert len(SENT) == 3


def test_backoff_doubles_and_is_capped_at_a_day():
    assert [services.email_backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert services.email_backoff(30) == timedelta(days=1)


def test_a_row_that_failed_every_attempt_is_no_longer_tried(outbox):
    bad = Notification.objects.get(recipient__email=REFUSED)
    Notification.objects.filter(pk=bad.pk).update(email_attempts=services.MAX_EMAIL_ATTEMPTS)
    assert services.send_emails(ids=[bad.pk]) == 0
