"""The session user is read with the page frame's department codes and unread count (bankpm.auth.UserBackend)."""
import pytest

from bankpm.auth import UserBackend
from notifications import services as notification_services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_session_user_comes_with_department_codes_and_unread_count(django_assert_num_queries):
    user = UserFactory(username="risk_officer", departments=["risk"])
    notification_services.notify(recipients=[user], title="请审阅", body="")
    with django_assert_num_queries(1):
        loaded = UserBackend().get_user(user.pk)
        assert set(loaded.department_codes) == {"risk"}
        assert loaded.unread_notification_count == 1


def test_marking_read_forgets_the_unread_count_read_with_the_user():
    user = UserFactory(username="reader")
    notification_services.notify(recipients=[user], title="通知", body="")
    loaded = UserBackend().get_user(user.pk)
    notification_services.mark_read(user=loaded)
    assert getattr(loaded, "unread_notification_count", None) is None


def test_inactive_user_is_not_signed_in():
    user = UserFactory(username="gone", is_active=False)
    assert UserBackend().get_user(user.pk) is None


def test_a_session_naming_no_possible_id_signs_nobody_in():
    assert UserBackend().get_user("not-an-id") is None


def test_a_user_that_no_longer_exists_is_not_signed_in():
    user = UserFactory(username="deleted")
    pk = user.pk
    user.delete()
    assert UserBackend().get_user(pk) is None


def test_a_session_naming_an_id_beyond_the_key_s_range_signs_nobody_in():
    assert UserBackend().get_user(10**30) is None
