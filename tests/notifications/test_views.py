"""The notification list answers in a number of queries that does not depend on how many notifications it shows."""
import pytest

from notifications.services import notify
from tests.helpers import assert_constant_queries, login

pytestmark = pytest.mark.django_db


def test_notification_list_does_not_grow_with_notifications(client, pm):
    notify(recipients=[pm], title="提醒 0", url="/products/")
    assert_constant_queries(login(client, pm), "/notifications/",
                            lambda: [notify(recipients=[pm], title=f"提醒 {i}", url="/products/") for i in range(25)])
