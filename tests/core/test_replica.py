"""Reads from a replica (core/replica.py): a second real connection to the test database stands in for the replica,
so routing, read-your-writes and the fall-backs are exercised on PostgreSQL (it sees only committed rows, like a
replica; the tests check where reads went, not what they found); the real streaming replica is exercised
by `make resilience` (scripts/resilience.py)."""
import time

import pytest
from django.db import connections
from django.test import override_settings

from core import replica
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(databases=["default", replica.REPLICA])


@pytest.fixture(autouse=True)
def _close_replica():
    yield
    connections[replica.REPLICA].close()  # else the test database cannot be dropped at the end of the run


@pytest.fixture
def replica_alias():
    """The router installed over the test settings' `replica` alias; its connection settings may be broken by a
    test and are restored afterwards."""
    settings_dict = connections[replica.REPLICA].settings_dict
    port = settings_dict["PORT"]
    replica._health.update(at=0.0, ok=False)
    with override_settings(DATABASE_ROUTERS=["core.replica.ReplicaRouter"]):
        yield settings_dict
    connections[replica.REPLICA].close()
    settings_dict["PORT"] = port
    replica._health.update(at=0.0, ok=False)


def stop_replica(settings_dict):
    settings_dict["PORT"] = 1  # nothing listens there: connecting fails at once
    connections[replica.REPLICA].close()


@pytest.fixture
def signed_in(client):
    client.force_login(UserFactory(role="product_manager"))
    return client


def test_a_list_page_reads_the_replica_when_it_is_healthy(replica_alias, signed_in):
    response = signed_in.get("/products/")
    assert response.status_code == 200
    assert response["X-BankPM-Read"] == "replica"


def test_a_page_not_named_lag_tolerant_reads_the_primary(replica_alias, signed_in):
    response = signed_in.get("/notifications/")
    assert response.status_code == 200
    assert response["X-BankPM-Read"] == "primary"


def test_after_a_write_the_client_reads_the_primary_for_a_while(replica_alias, signed_in, settings):
    settings.BANKPM_READ_YOUR_WRITES = 7
    posted = signed_in.post("/i18n/setlang/", {"language": "en", "next": "/products/"})
    assert posted.cookies[replica.PIN_COOKIE]["max-age"] == 7
    assert signed_in.get("/products/")["X-BankPM-Read"] == "primary"


def test_a_replica_lagging_past_the_limit_is_not_read(replica_alias, signed_in, settings, monkeypatch):
    settings.BANKPM_REPLICA_MAX_LAG = 5.0
    monkeypatch.setattr(replica, "replica_lag", lambda: 6.0)
    assert signed_in.get("/products/")["X-BankPM-Read"] == "primary"


def test_an_unreachable_replica_falls_back_to_the_primary_quickly(replica_alias, signed_in):
    stop_replica(replica_alias)
    started = time.monotonic()
    response = signed_in.get("/products/")
    assert (response.status_code, response["X-BankPM-Read"]) == (200, "primary")
    assert time.monotonic() - started < 2


def test_a_replica_failing_during_the_request_is_retried_on_the_primary(replica_alias, signed_in):
    stop_replica(replica_alias)
    replica._health.update(at=time.monotonic(), ok=True)  # the last probe said healthy; it has since died
    response = signed_in.get("/products/")
    assert (response.status_code, response["X-BankPM-Read"]) == (200, "primary")
    assert replica._health["ok"] is False


def test_without_a_replica_configured_every_read_is_the_primarys(signed_in):
    assert signed_in.get("/products/")["X-BankPM-Read"] == "primary"
