"""The notification list: each in the reader's language; opening one marks it read; each can be marked alone."""
import pytest
from django.conf import settings
from django.core import mail

from notifications import services
from notifications.models import Notification

pytestmark = pytest.mark.django_db
CODE = "%(user)s 在需求 #%(id)s 中提到了您"


def mention(user, requirement_id=3):
    [note] = services.notify(recipients=[user], title_code=CODE, params={"user": "王晓明", "id": requirement_id},
                             url=f"/requirements/{requirement_id}/#comment-9", email=False)
    return note


def test_the_list_renders_each_notification_in_the_readers_language(client, pm):
    mention(pm)
    client.force_login(pm)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "王晓明 mentioned you on requirement #3" in client.get("/notifications/").content.decode()


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, pm):
    note = mention(pm)
    client.force_login(pm)
    response = client.post(f"/notifications/{note.pk}/open/")
    assert response.status_code == 302 and response.url == "/requirements/3/#comment-9"
    note.refresh_from_db()
    assert note.read_at is not None


def test_one_notification_can_be_marked_read_alone(client, pm):
    first, second = mention(pm, 3), mention(pm, 4)
    client.force_login(pm)
    client.post("/notifications/read/", {"id": [first.pk]})
    assert list(Notification.objects.filter(read_at__isnull=False)) == [first]
    assert Notification.objects.get(pk=second.pk).read_at is None


def test_nobody_opens_another_users_notification(client, pm, other_pm):
    note = mention(pm)
    client.force_login(other_pm)
    assert client.post(f"/notifications/{note.pk}/open/").status_code == 404


def test_the_mail_is_written_in_the_recipients_language(pm):
    pm.language = "en"
    pm.save(update_fields=["language"])
    [note] = services.notify(recipients=[pm], title_code=CODE, params={"user": "王晓明", "id": 3}, email=False)
    Notification.objects.filter(pk=note.pk).update(send_email=True)
    services.send_emails(ids=[note.pk])
    assert [m.subject for m in mail.outbox] == ["王晓明 mentioned you on requirement #3"]


def test_the_language_switcher_remembers_the_choice_on_the_user(client, pm):
    client.force_login(pm)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    pm.refresh_from_db()
    assert pm.language == "en"
