"""Notifications come only from the services' outbox: the admin reads them and writes nothing."""
import pytest
from django.urls import reverse

from notifications.models import Notification
from notifications.services import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_admin_cannot_create_a_notification(signed_in):
    reader = UserFactory()
    data = {"recipient": reader.pk, "title": "点击领奖", "body": "x", "url": "https://evil.example/"}
    assert signed_in.get(reverse("admin:notifications_notification_add")).status_code == 403
    assert signed_in.post(reverse("admin:notifications_notification_add"), data).status_code == 403
    assert not Notification.objects.exists()


def test_the_admin_cannot_change_or_delete_a_notification(signed_in):
    [row] = notify(recipients=[UserFactory()], title="审批提醒", url="/reviews/", email=False)
    change = signed_in.post(reverse("admin:notifications_notification_change", args=[row.pk]),
                            {"title": "改过", "url": "https://evil.example/"})
    delete = signed_in.post(reverse("admin:notifications_notification_delete", args=[row.pk]), {"post": "yes"})
    row.refresh_from_db()
    assert change.status_code == 403 and delete.status_code == 403
    assert row.title == "审批提醒" and row.url == "/reviews/"


def test_the_admin_still_lists_notifications(signed_in):
    notify(recipients=[UserFactory()], title="审批提醒", email=False)
    response = signed_in.get(reverse("admin:notifications_notification_changelist"))
    assert response.status_code == 200 and "审批提醒" in response.content.decode()
