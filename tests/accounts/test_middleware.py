"""Sessions end after the security policy's idle time and get a new key when their user's privileges change."""
import time

import pytest
from django.core.cache import cache

from accounts import services
from accounts.middleware import LAST_SEEN
from accounts.models import SecurityPolicy

pytestmark = pytest.mark.django_db


def idle_for(client, seconds):
    session = client.session
    session[LAST_SEEN] = int(time.time()) - seconds
    session.save()


def test_a_session_idle_longer_than_30_minutes_is_signed_out(client, pm):
    client.force_login(pm)
    assert client.get("/").status_code in (200, 302)
    idle_for(client, 31 * 60)
    response = client.get("/products/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_a_session_idle_for_less_than_the_timeout_stays(client, pm):
    client.force_login(pm)
    client.get("/products/")
    idle_for(client, 29 * 60)
    assert client.get("/products/").status_code == 200


def test_the_idle_timeout_is_the_administrators_setting(client, pm):
    SecurityPolicy.objects.create(session_idle_minutes=5)
    cache.delete(SecurityPolicy.CACHE_KEY)
    client.force_login(pm)
    client.get("/products/")
    idle_for(client, 6 * 60)
    assert client.get("/products/").status_code == 302


def test_a_privilege_change_gives_the_session_a_new_key(client, pm, admin_user):
    client.force_login(pm)
    client.get("/products/")
    before = client.session.session_key
    pm.role = "head_of_product"
    services.user_save(actor=admin_user, user=pm)
    assert client.get("/products/").status_code == 200
    assert client.session.session_key != before


def test_a_request_without_a_privilege_change_keeps_the_key(client, pm):
    client.force_login(pm)
    client.get("/products/")
    before = client.session.session_key
    client.get("/products/")
    assert client.session.session_key == before
