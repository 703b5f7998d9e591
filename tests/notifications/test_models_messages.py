"""A notification is rendered in its reader's language from its message code and parameters."""
import pytest
from django.utils import translation

from notifications import services
from notifications.models import Notification
from requirements.choices import RequirementStatus

pytestmark = pytest.mark.django_db


def status_note(pm):
    [note] = services.notify(recipients=[pm], title_code="需求 #%(id)s 状态变为“%(status)s”",
                             params={"id": 7, "status": services.localised(RequirementStatus.DELIVERED.label)})
    return Notification.objects.get(pk=note.pk)


def test_an_english_reader_sees_the_title_and_its_labels_in_english(pm):
    note = status_note(pm)
    with translation.override("en"):
        assert note.display_title == "Requirement #7 is now “Delivered”"


def test_a_chinese_reader_sees_the_same_notification_in_chinese(pm):
    with translation.override("en"):
        note = status_note(pm)
    with translation.override("zh-hans"):
        assert note.display_title == "需求 #7 状态变为“已交付”"


def test_a_notification_without_a_code_shows_its_stored_title(pm):
    [note] = services.notify(recipients=[pm], title="评审待办")
    with translation.override("en"):
        assert note.display_title == "评审待办"


def test_a_code_whose_parameters_do_not_fit_falls_back_to_the_stored_title(pm):
    [note] = services.notify(recipients=[pm], title="备用标题", title_code="需求 #%(id)s 状态变为“%(status)s”",
                             params={"id": 1})
    assert note.display_title == "备用标题"
