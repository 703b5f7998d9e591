"""API rate limits: per token and per address, answered with 429 and Retry-After (rates overridden small here; the
test settings' own rates are far above what the suite sends)."""
import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(monkeypatch):
    cache.clear()

    def set_rates(**rates):
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, **rates})
    yield set_rates
    cache.clear()


def token_client(user, address="10.0.0.1"):
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_a_token_over_its_rate_gets_429_with_retry_after(rates, pm):
    rates(token="3/min")
    client = token_client(pm)
    codes = [client.get("/api/v1/me/").status_code for _ in range(4)]
    response = client.get("/api/v1/me/")
    assert codes == [200, 200, 200, 429] and response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60


def test_one_tokens_limit_does_not_stop_another_token(rates, pm):
    rates(token="2/min")
    first, second = token_client(pm), token_client(UserFactory(), address="10.0.0.2")
    for _ in range(3):
        first.get("/api/v1/me/")
    assert second.get("/api/v1/me/").status_code == 200


def test_an_address_over_its_rate_gets_429_whatever_the_token(rates, pm):
    rates(address="3/min")
    clients = [token_client(UserFactory()) for _ in range(3)] + [token_client(pm)]
    codes = [c.get("/api/v1/me/").status_code for c in clients]
    assert codes == [200, 200, 200, 429]
    assert "Retry-After" in clients[-1].get("/api/v1/me/")


def test_the_token_endpoint_is_limited_per_address(rates, pm):
    rates(address="2/min")
    client = APIClient(REMOTE_ADDR="10.0.0.9")
    for _ in range(2):
        client.post("/api/v1/auth/token/", {"username": "nobody", "password": "x"}, format="json")
    response = client.post("/api/v1/auth/token/", {"username": "nobody", "password": "x"}, format="json")
    assert response.status_code == 429 and response["Retry-After"]
