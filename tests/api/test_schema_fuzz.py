"""Schemathesis over every endpoint of /api/schema/: no 5xx, and every response matches the schema."""
import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

schema = schemathesis.pytest.from_fixture("api_schema")
# What the contract promises: no 5xx, documented status codes and content types, bodies that match the schema.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# On reads, schema and server also agree both ways: every query the schema declares valid is answered, every
# other one refused. (Writes may still refuse schema-valid bodies on business rules, e.g. an id naming no row or a
# duplicate product code, which a schema cannot declare.)
AGREEMENT = [positive_data_acceptance, negative_data_rejection]


@pytest.fixture
def api_schema(db):
    # Like django.test.Client: keep the test's connection (and its transaction) open across WSGI requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(db):
    from rest_framework.authtoken.models import Token

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    from accounts.models import User

    return Token.objects.get_or_create(user=User.objects.get(username="head1"))[0].key


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_schema(case, token):
    checks = CHECKS + AGREEMENT if case.method == "GET" else CHECKS
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=checks)
