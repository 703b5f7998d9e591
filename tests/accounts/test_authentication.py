"""API tokens live as long as the security policy says; the token endpoint issues a new one after that."""
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import SecurityPolicy
from core.models import AuditEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def with_token(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_older_than_the_policys_lifetime_is_refused(pm):
    token = Token.objects.create(user=pm)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(days=31))
    response = with_token(token.key).get("/api/v1/me/")
    assert response.status_code == 401 and "过期" in response.json()["detail"]


def test_a_token_within_its_lifetime_works(pm):
    token = Token.objects.create(user=pm)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(days=29))
    assert with_token(token.key).get("/api/v1/me/").status_code == 200


def test_the_lifetime_is_the_administrators_setting(pm):
    SecurityPolicy.objects.create(token_lifetime_days=2)
    from django.core.cache import cache

    cache.delete(SecurityPolicy.CACHE_KEY)
    token = Token.objects.create(user=pm)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(days=3))
    assert with_token(token.key).get("/api/v1/me/").status_code == 401


def test_the_token_endpoint_replaces_an_expired_token_and_audits_both(pm):
    old = Token.objects.create(user=pm)
    Token.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=31))
    body = APIClient().post("/api/v1/auth/token/", {"username": pm.username, "password": PASSWORD},
                            format="json").json()
    assert body["token"] != old.key and with_token(body["token"]).get("/api/v1/me/").status_code == 200
    assert [e.action for e in AuditEntry.objects.order_by("id")] == ["token_revoked", "token_issued"]
