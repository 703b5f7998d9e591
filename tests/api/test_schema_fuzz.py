"""Schemathesis over every endpoint of /api/schema/: no 5xx, and every response matches the schema."""
import hashlib
import zlib
from decimal import Decimal

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.helpers import FUZZ_DERANDOMIZED

schema = schemathesis.pytest.from_fixture("api_schema")
# CI's run is the same every time (tests.helpers.FUZZ_DERANDOMIZED: cases from a fixed seed, no example database);
# BANKPM_FUZZ_RANDOM=1 draws new ones (Hypothesis prints how to reproduce a failure).
DERANDOMIZE = FUZZ_DERANDOMIZED
# The schema's `single-line` text (bankpm.api.schema): what SingleLineTextValidator lets through, i.e. no character
# of Unicode category C but the zero-width joiner. (Its pattern bars the control characters a short class can
# name; the format stands for the rest, which no regular expression of reasonable size spells.)
schemathesis.openapi.format(
    "single-line", st.text(st.characters(codec="utf-8", exclude_categories=["C"]) | st.just("\u200d")))
# What the contract promises: no 5xx, documented status codes and content types, bodies that match the schema.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Schema and server also agree both ways: every request the schema declares valid is taken (or answered 404 or 409
# when it names no row or conflicts with the rows' state), every other one refused. Writes: see
# with_demo_references and WRITE_DISAGREEMENTS.
AGREEMENT = [positive_data_acceptance, negative_data_rejection]


@pytest.fixture
def api_schema(demo_data_for_module, db):
    # The demo first: schemathesis asks for this fixture inside the test, after which no other may commit.
    # Like django.test.Client: keep the test's connection (and its transaction) open across WSGI requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    loaded = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    # A body over the upload limit (bankpm.uploads) is refused with 413 before it is parsed: that too is a rejection
    # of invalid data (a negative case of 10,001 long items is both).
    rejection = loaded.config.checks.negative_data_rejection
    rejection.expected_statuses = [*rejection.expected_statuses, "413"]
    yield loaded
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Body fields that name a row by id or code. A schema can say an id is an integer, not that its row exists: in the
# head of product's run, a case that the schema calls valid names rows of the demo (schemathesis' own advice: seed
# known ids), each generated value mapped onto one of them so that the variety stays Hypothesis'. Which rows count
# is what each field's description says: an owner is someone who may own products, a version one still planned, an
# observation's metric one that takes observations. Negative cases are sent as generated. (A body naming no such
# row is a 400 on that field, tested in each app.)
OWNERS = {"is_active": True, "role__in": ["product_manager", "head_of_product", "administrator"]}
REFERENCES = {
    "product": ("products.Product", "pk", "code", {}),
    "successor": ("products.Product", None, "code", {}),
    "owner": ("accounts.User", "pk", None, OWNERS),
    "assignee": ("accounts.User", "pk", None, {"is_active": True}),
    "delegate": ("accounts.User", "pk", None, {"is_active": True}),
    "on_behalf_of": ("accounts.User", "pk", None, {"is_active": True}),
    "target_version": ("requirements.ProductVersion", "pk", None, {"status": "planned"}),
    "move_to": ("requirements.ProductVersion", "pk", None, {"status": "planned"}),
    "feedback": ("requirements.Feedback", "pk", None, {}),
    "requirements": ("requirements.Requirement", "pk", None, {}),
    "snapshots": ("kpis.Snapshot", "pk", None, {}),
    "alerts": ("kpis.Alert", "pk", None, {}),
    "metric": ("kpis.Metric", None, "code", {"~aggregation": "derived", "~code": "requirements_delivered"}),
}
_demo_rows: dict[tuple[str, str], list] = {}


def _demo_values(name: str, column: str) -> list:
    if (name, column) not in _demo_rows:
        from django.apps import apps

        model, _id, _code, where = REFERENCES[name]
        rows = apps.get_model(model).objects.filter(**{k: v for k, v in where.items() if k[0] != "~"})
        rows = rows.exclude(**{k[1:]: v for k, v in where.items() if k[0] == "~"})
        rows = rows.order_by("pk").values_list(column, flat=True)
        _demo_rows[name, column] = list(rows[:500])
    return _demo_rows[name, column]


def _steer(name, value):
    _model, id_column, code_column, _where = REFERENCES[name]
    if isinstance(value, list):
        return [_steer(name, item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and id_column:
        rows = _demo_values(name, id_column)
        return rows[value % len(rows)] if rows else value
    if isinstance(value, str) and code_column:
        rows = _demo_values(name, code_column)
        return rows[zlib.crc32(value.encode("utf-8", "surrogatepass")) % len(rows)] if rows else value
    return value


def _version_of_product(body: dict) -> dict:
    """A requirement's target version is one of its product's (the only rule here between two references)."""
    if isinstance(body.get("target_version"), int) and isinstance(body.get("product"), int):
        from requirements.models import ProductVersion

        if "versions" not in _demo_rows:
            _demo_rows["versions"] = dict(ProductVersion.objects.filter(status="planned").values_list("product", "pk"))
        body = {**body, "target_version": _demo_rows["versions"].get(body["product"])}
    return body


# Pairs of values of which the first is no higher than the second (a product's expected yield, a risk's residual
# and inherent scores): a rule between two values that JSON Schema cannot state (the fields' descriptions do);
# Product.clean and Risk.clean refuse the other order (tested in products and risks).
ORDERED_PAIRS = [("expected_yield_min", "expected_yield_max"), ("residual_likelihood", "likelihood"),
                 ("residual_impact", "impact")]


def _ordered_range(body: dict) -> dict:
    for low_name, high_name in ORDERED_PAIRS:
        low, high = body.get(low_name), body.get(high_name)
        if isinstance(low, str | int) and type(low) is type(high) and Decimal(low) > Decimal(high):
            body = {**body, low_name: high, high_name: low}
    return body


def _target_not_excluded(body: dict) -> dict:
    """A product's target segment is never one of its excluded segments (Product.clean; said in the description)."""
    excluded, target = body.get("excluded_segments"), body.get("customer_segment", "mass_market")  # the default
    if isinstance(excluded, list) and target in excluded:
        body = {**body, "excluded_segments": [s for s in excluded if s != target]}
    return body


def steer_references(body):
    """The body with every reference field (at any depth) naming a demo row."""
    if isinstance(body, list):
        return [steer_references(item) for item in body]
    if isinstance(body, dict):
        steered = {key: _steer(key, value) if key in REFERENCES else steer_references(value)
                   for key, value in body.items()}
        return _target_not_excluded(_version_of_product(_ordered_range(steered)))
    return body


def with_demo_references(case):
    if case.meta is not None and case.meta.generation.mode.is_positive and isinstance(case.body, dict | list):
        case.body = steer_references(case.body)
    return case


def one_request_per_key(case):
    """An Idempotency-Key names one request (core.idempotency; reused with another body it is a 422, tested in
    tests/core/test_idempotency.py), while Hypothesis reuses its few short keys across bodies: a schema-valid key
    is suffixed with a digest of the body and query, so that it stays valid and names one request."""
    key = (case.headers or {}).get("Idempotency-Key")
    if case.meta is not None and case.meta.generation.mode.is_positive and isinstance(key, str):
        digest = hashlib.sha256(repr((case.body, case.query, case.path_parameters)).encode("utf-8", "surrogatepass"))
        case.headers["Idempotency-Key"] = f"{key[:190]}-{digest.hexdigest()}"
    return case


def demo_token(username):
    """A token of one of the demo's users (the demo is committed for this module)."""
    from rest_framework.authtoken.models import Token

    from accounts.models import User

    return Token.objects.get_or_create(user=User.objects.get(username=username))[0].key


# Reads whose filters the schema and the server still disagree on (found when the risk register, the audit API
# and the review `process=` filter were merged beside the agreement checks): they get the other checks until fixed.
SCHEMA_DISAGREEMENTS: set[str] = {
    # The roadmap's window: `to` not before `from`, at most five years, years 1900–2999 (rules across parameters
    # the schema cannot state; tests/roadmap/test_api.py checks each 400).
    "/api/v1/roadmap/",
}


@pytest.fixture
def token(db, demo_data_for_module):
    return demo_token("head1")


# The head of product's run: every operation with its boundary cases (schemathesis' coverage phase) and generated
# cases, reads and writes as two tests so that the two halves can run side by side.
HEAD_SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck),
                         derandomize=DERANDOMIZE)


@schema.include(method="GET").parametrize()
@HEAD_SETTINGS
def test_api_conforms_to_schema(case, token):
    checks = CHECKS if case.path in SCHEMA_DISAGREEMENTS else CHECKS + AGREEMENT
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=checks)


# Writes whose schema-valid bodies the server may still refuse with a 400, and why (each rule tested in its app);
# they get every check but positive_data_acceptance:
WRITE_DISAGREEMENTS = {
    # Wrong credentials are a 400 (schemathesis itself excuses an operation that grants credentials, when the
    # schema names it as a token URL, which an API-key scheme cannot).
    "/api/v1/auth/token/": "credentials",
    # Per-item rules that depend on the rows named: each metric's valid range, the products the user may edit, a
    # (product, metric, date) sent twice in one batch.
    "/api/v1/metrics/observations/": "per-item data rules",
    # Complaints: a receipt day not after today, an active region code, the products the user may register for
    # (per index); resolving needs a root cause already recorded; a closed complaint keeps its facts.
    "/api/v1/complaints/": "per-item data rules",
    "/api/v1/complaints/{id}/": "closed complaints keep their facts",
    "/api/v1/complaints/{id}/transition/": "resolve needs a root cause, reject a reason",
    "/api/v1/complaints/from-feedback/": "the feedback's product must be the user's",
    # A gate's preconditions are the product's state (its deliverables, risk register, exit plan), refused with 400
    # naming each; a waiver refused needs a comment (the schema states the fields, not which decision needs which);
    # an exit's progress names the plan's own segments, per index (tests/lifecycle, tests/exits).
    "/api/v1/products/{product_pk}/gate-reviews/": "preconditions on the product's state",
    "/api/v1/deliverables/{id}/waiver/": "a refusal needs a comment",
    "/api/v1/products/{product_pk}/exit-plan/progress/": "per-item data rules",
    # A webhook target must resolve, now, to addresses the SSRF guard admits (DNS and the allow-list, not the body).
    "/api/v1/webhooks/": "target resolution",
    "/api/v1/webhooks/{id}/": "target resolution",
}


@schema.exclude(method="GET").parametrize()
@HEAD_SETTINGS
def test_api_writes_conform_to_schema(case, token):
    one_request_per_key(with_demo_references(case))
    checks = CHECKS + [negative_data_rejection] if case.path in WRITE_DISAGREEMENTS else CHECKS + AGREEMENT
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=checks)


@pytest.fixture
def pm_token(db, demo_data_for_module):
    return demo_token("pm1")


@pytest.fixture
def reviewer_token(db, demo_data_for_module):
    return demo_token("risk1")


@pytest.fixture
def admin_token(db, demo_data_for_module):
    return demo_token("admin")


# The other roles meet other branches (403s, own-product filters, department queues): generated cases only, fewer
# of them. The boundary cases schemathesis derives from the schema (its coverage phase, run as Hypothesis'
# explicit examples, the larger part of a run's requests) are the same for every role: the head of product's run
# has them. (Schemathesis cannot take a parametrized fixture, hence one test per role.)
ROLE_SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck),
                         phases=[Phase.generate], derandomize=DERANDOMIZE)


@schema.parametrize()
@ROLE_SETTINGS
def test_api_conforms_to_schema_as_a_product_manager(case, pm_token):
    case.call_and_validate(headers={"Authorization": f"Token {pm_token}"}, checks=CHECKS)


@schema.parametrize()
@ROLE_SETTINGS
def test_api_conforms_to_schema_as_a_reviewer(case, reviewer_token):
    case.call_and_validate(headers={"Authorization": f"Token {reviewer_token}"}, checks=CHECKS)


@schema.parametrize()
@ROLE_SETTINGS
def test_api_conforms_to_schema_as_an_administrator(case, admin_token):
    case.call_and_validate(headers={"Authorization": f"Token {admin_token}"}, checks=CHECKS)


def test_schema_lists_the_exit_runbook_endpoints(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    assert {"/api/v1/products/{product_pk}/exit-plan/", "/api/v1/products/{product_pk}/exit-plan/progress/",
            "/api/v1/exit-tasks/{id}/"} <= set(paths)
    assert set(paths["/api/v1/products/{product_pk}/exit-plan/"]) >= {"get", "put"}
    assert "patch" in paths["/api/v1/exit-tasks/{id}/"]


# The terms-change endpoints get a deeper run: their bodies (nested terms, pilot criteria) have the most shapes.
# (Their boundary cases are in the head of product's run.)
change_schema = schema.include(path_regex=r"/(changes|terms)/")


@change_schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), phases=[Phase.generate],
          derandomize=DERANDOMIZE)
def test_change_endpoints_conform_to_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)


# The roadmap's query parameters (dates, repeated enums, an owner id): its boundary and generated cases.
@schema.include(path_regex=r"/roadmap/").parametrize()
@HEAD_SETTINGS
def test_roadmap_endpoint_conforms_to_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS + [negative_data_rejection])


# The complaints register and the observations with their dimensions get a deeper run too (bulk bodies with
# optional fields): the contract checks, and the agreement checks for the reads.
complaint_schema = schema.include(path_regex=r"/(complaints|metrics/observations)/")


@complaint_schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), phases=[Phase.generate],
          derandomize=DERANDOMIZE)
def test_complaint_and_observation_endpoints_conform_to_schema(case, token):
    with_demo_references(case)
    checks = CHECKS + [negative_data_rejection] if case.method != "GET" else CHECKS + AGREEMENT
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=checks)


# The periodic reviews' list and detail (product, status, due date and the other filters): boundary and generated
# cases, with the agreement checks (a filter the schema calls valid is taken, any other refused).
@schema.include(path_regex=r"/product-reviews/").parametrize()
@HEAD_SETTINGS
def test_periodic_review_endpoints_conform_to_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS + AGREEMENT)
