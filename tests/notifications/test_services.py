import pytest
from django.core import mail
from django.db import transaction

from bankpm.celery import app as celery_app
from notifications import services
from notifications.models import Notification
from notifications.tasks import flush_notification_outbox


def test_notify_writes_one_row_per_distinct_active_recipient(pm, reviewer, make_user):
    inactive = make_user(username="gone", is_active=False)
    rows = services.notify(recipients=[pm, pm, reviewer, inactive, None], title="评审待办")
    assert sorted(r.recipient.username for r in rows) == ["pm_a", "risk_a"]


def test_emails_are_queued_only_after_the_transaction_commits(pm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notify(recipients=[pm], title="评审待办", body="请处理", url="/x/")
    assert len(mail.outbox) == 0
    assert len(callbacks) == 1
    callbacks[0]()
    assert [m.subject for m in mail.outbox] == ["评审待办"]
    assert Notification.objects.get().emailed_at is not None


def test_rolled_back_transaction_sends_nothing(pm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.notify(recipients=[pm], title="评审待办")
            raise RuntimeError("rollback")
    assert len(mail.outbox) == 0
    assert not Notification.objects.exists()


@pytest.fixture
def broker_down(monkeypatch):
    """A real Celery publish against a closed port, the way a Redis outage looks to the web process."""
    monkeypatch.setattr(celery_app.conf, "task_always_eager", False)
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    celery_app._pool = None
    yield
    celery_app._pool = None


def test_broker_outage_keeps_emails_in_the_outbox_until_the_sweeper_sends_them(
    pm, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[pm], title="评审待办")
    note = Notification.objects.get()
    assert note.emailed_at is None
    assert len(mail.outbox) == 0

    assert flush_notification_outbox() == 1
    note.refresh_from_db()
    assert note.emailed_at is not None
    assert [m.to for m in mail.outbox] == [[pm.email]]
    assert flush_notification_outbox() == 0


def test_mark_read_touches_only_the_users_own_notifications(pm, reviewer):
    services.notify(recipients=[pm, reviewer], title="t", email=False)
    assert services.mark_read(user=pm) == 1
    assert Notification.objects.filter(read_at__isnull=True).get().recipient == reviewer


def test_marking_read_with_malformed_ids_ignores_them_instead_of_failing(client, pm):
    services.notify(recipients=[pm], title="t", email=False)
    client.force_login(pm)
    response = client.post("/notifications/read/", {"id": ["abc", "1x", "²"]})
    assert response.status_code == 302
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
