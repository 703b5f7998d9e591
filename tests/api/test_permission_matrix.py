"""Role × endpoint permission matrix for every /api/v1/ route (Taiga style).

The routes are read from the URL conf: an endpoint (or method) added without a row here fails
`test_every_api_route_and_method_has_a_row`. Each request runs in a savepoint rolled back afterwards, so every role
meets the same state.
"""
import uuid
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.urls import URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from kpis import services as kpi_services
from kpis.models import Alert, Snapshot
from lifecycle import services as lifecycle_services
from tests.factories import (
    PASSWORD,
    FeedbackFactory,
    ProductFactory,
    ProductVersionFactory,
    RequirementFactory,
    UserFactory,
    complete_deliverables,
    observe,
    target,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "owner_pm", "other_pm", "risk", "finance", "executive", "head", "admin"]


@dataclass
class World:
    users: dict
    product: object  # owned by owner_pm, a gate review open
    spare: object  # owned by owner_pm, checklist done, no review
    deliverable: object
    review: object
    requirement: object
    version: object
    feedback: object
    snapshot: object
    alert: object


@pytest.fixture
def world(db):
    users = {
        "owner_pm": UserFactory(username="m_owner", role="product_manager"),
        "other_pm": UserFactory(username="m_other", role="product_manager"),
        "risk": UserFactory(username="m_risk", role="reviewer", departments=["risk"]),
        "finance": UserFactory(username="m_finance", role="reviewer", departments=["finance"]),
        "executive": UserFactory(username="m_exec", role="senior_management", departments=["senior_management"]),
        "head": UserFactory(username="m_head", role="head_of_product"),
        "admin": UserFactory(username="m_admin", role="administrator", is_superuser=True, is_staff=True),
    }
    owner = users["owner_pm"]
    product = ProductFactory(code="MX-1", owner=owner, category="loan", risk_rating="R3")
    complete_deliverables(product)
    review = lifecycle_services.gate_review_submit(product=product, user=owner)
    spare = ProductFactory(code="MX-2", owner=owner, category="loan")
    complete_deliverables(spare)
    observe(product, "default_rate", "2026-10-10", 2.5)
    target(product, "default_rate", "2026-10-01", 1.5, 1.8, 2.0)
    kpi_services.kpi_snapshots_compute(period="2026-10", granularity="month")
    return World(
        users=users, product=product, spare=spare, deliverable=product.deliverables.first(), review=review,
        requirement=RequirementFactory(product=product), version=ProductVersionFactory(product=product),
        feedback=FeedbackFactory(product=product), snapshot=Snapshot.objects.filter(product=product).first(),
        alert=Alert.objects.get(product=product),
    )


REQUIREMENT = {"source": "internal", "type": "feature", "priority": "P2", "description": "说明"}


def product_payload(w, user):
    body = {"code": "MX-NEW", "name": "新产品", "category": "deposit", "customer_segment": "mass_market",
            "risk_rating": "R1", "sales_channels": ["branch"]}
    return body if user is None or user.is_product_manager else {**body, "owner": w.users["owner_pm"].pk}


# (url name, method): (url kwargs, body, [statuses for ROLES in order])
MATRIX = {
    ("auth-token", "post"): (None, lambda w, u: {"username": "m_owner", "password": PASSWORD},
                             [200, 200, 200, 200, 200, 200, 200, 200]),
    ("me", "get"): (None, None, [403, 200, 200, 200, 200, 200, 200, 200]),
    ("audit-list", "get"): (None, None, [403, 200, 200, 200, 403, 200, 200, 200]),
    ("product-list", "get"): (None, None, [403, 200, 200, 200, 200, 200, 200, 200]),
    ("product-list", "post"): (None, product_payload, [403, 201, 201, 403, 403, 403, 201, 201]),
    ("product-detail", "get"): (lambda w: {"pk": w.product.pk}, None, [403, 200, 200, 200, 200, 200, 200, 200]),
    ("product-detail", "patch"): (lambda w: {"pk": w.product.pk}, lambda w, u: {"name": "改名"},
                                  [403, 200, 403, 403, 403, 403, 200, 200]),
    ("product-detail", "put"): (lambda w: {"pk": w.product.pk},
                                lambda w, u: {**product_payload(w, u), "code": "MX-1"},
                                [403, 200, 403, 403, 403, 403, 200, 200]),
    ("product-deliverables", "get"): (lambda w: {"product_pk": w.product.pk}, None,
                                      [403, 200, 200, 200, 200, 200, 200, 200]),
    ("product-gate-reviews", "get"): (lambda w: {"product_pk": w.product.pk}, None,
                                      [403, 200, 200, 200, 200, 200, 200, 200]),
    ("product-gate-reviews", "post"): (lambda w: {"product_pk": w.spare.pk}, lambda w, u: {},
                                       [403, 201, 403, 403, 403, 403, 201, 403]),
    ("product-history", "get"): (lambda w: {"product_pk": w.product.pk}, None,
                                 [403, 200, 200, 200, 200, 200, 200, 200]),
    ("deliverable-detail", "get"): (lambda w: {"pk": w.deliverable.pk}, None,
                                    [403, 200, 200, 200, 200, 200, 200, 200]),
    ("deliverable-detail", "patch"): (lambda w: {"pk": w.deliverable.pk},
                                      lambda w, u: {"link": "https://docs.bank.example/x"},
                                      [403, 200, 403, 403, 403, 403, 200, 200]),
    ("gate-review-list", "get"): (None, None, [403, 200, 200, 200, 200, 200, 200, 200]),
    ("gate-review-detail", "get"): (lambda w: {"pk": w.review.pk}, None, [403, 200, 200, 200, 200, 200, 200, 200]),
    ("gate-review-decisions", "post"): (lambda w: {"pk": w.review.pk},
                                        lambda w, u: {"department": "risk", "decision": "approve"},
                                        [403, 403, 403, 201, 403, 403, 403, 403]),
    ("requirement-list", "get"): (None, None, [403, 200, 200, 200, 200, 200, 200, 200]),
    ("requirement-list", "post"): (None, lambda w, u: {"product": w.product.pk, "title": "新需求", **REQUIREMENT},
                                   [403, 201, 403, 403, 403, 403, 201, 201]),
    ("requirement-bulk", "post"): (None, lambda w, u: [{"product": w.product.pk, "title": "批量需求", **REQUIREMENT}],
                                   [403, 201, 400, 403, 403, 403, 201, 201]),
    ("requirement-detail", "get"): (lambda w: {"pk": w.requirement.pk}, None,
                                    [403, 200, 200, 200, 200, 200, 200, 200]),
    ("requirement-detail", "patch"): (lambda w: {"pk": w.requirement.pk}, lambda w, u: {"priority": "P0"},
                                      [403, 200, 403, 403, 403, 403, 200, 200]),
    ("requirement-detail", "put"): (lambda w: {"pk": w.requirement.pk},
                                    lambda w, u: {"product": w.product.pk, "title": "整体替换", **REQUIREMENT},
                                    [403, 200, 403, 403, 403, 403, 200, 200]),
    ("requirement-detail", "delete"): (lambda w: {"pk": w.requirement.pk}, None,
                                       [403, 204, 403, 403, 403, 403, 204, 204]),
    ("requirement-transitions", "post"): (lambda w: {"pk": w.requirement.pk}, lambda w, u: {"transition": "analyse"},
                                          [403, 200, 403, 403, 403, 403, 200, 200]),
    ("version-list", "get"): (None, None, [403, 200, 200, 200, 200, 200, 200, 200]),
    ("version-list", "post"): (None, lambda w, u: {"product": w.product.pk, "name": "v9.9",
                                                   "planned_date": "2027-03-01"},
                               [403, 201, 403, 403, 403, 403, 201, 201]),
    ("version-detail", "get"): (lambda w: {"pk": w.version.pk}, None, [403, 200, 200, 200, 200, 200, 200, 200]),
    ("version-detail", "patch"): (lambda w: {"pk": w.version.pk}, lambda w, u: {"name": "v9.8"},
                                  [403, 200, 403, 403, 403, 403, 200, 200]),
    ("version-detail", "put"): (lambda w: {"pk": w.version.pk},
                                lambda w, u: {"product": w.product.pk, "name": "v9.7", "planned_date": "2027-04-01"},
                                [403, 200, 403, 403, 403, 403, 200, 200]),
    ("version-release", "post"): (lambda w: {"pk": w.version.pk}, None, [403, 200, 403, 403, 403, 403, 200, 200]),
    ("feedback-list", "get"): (None, None, [403, 200, 200, 200, 200, 200, 200, 200]),
    ("feedback-list", "post"): (None, lambda w, u: {"product": w.product.pk, "channel": "hotline",
                                                    "customer_segment": "mass_market", "text": "限额太低",
                                                    "sentiment": "negative", "received_on": "2026-10-01"},
                                [403, 201, 403, 403, 403, 403, 201, 201]),
    ("feedback-convert", "post"): (None, lambda w, u: {"feedback": [w.feedback.pk], "title": "提高限额"},
                                   [403, 201, 403, 403, 403, 403, 201, 201]),
    ("feedback-detail", "get"): (lambda w: {"pk": w.feedback.pk}, None, [403, 200, 200, 200, 200, 200, 200, 200]),
    ("feedback-detail", "patch"): (lambda w: {"pk": w.feedback.pk}, lambda w, u: {"text": "更正"},
                                   [403, 200, 403, 403, 403, 403, 200, 200]),
    ("feedback-detail", "put"): (lambda w: {"pk": w.feedback.pk},
                                 lambda w, u: {"product": w.product.pk, "channel": "hotline",
                                               "customer_segment": "mass_market", "text": "整体更正",
                                               "sentiment": "neutral", "received_on": "2026-10-02"},
                                 [403, 200, 403, 403, 403, 403, 200, 200]),
    ("feedback-detail", "delete"): (lambda w: {"pk": w.feedback.pk}, None, [403, 204, 403, 403, 403, 403, 204, 204]),
    ("metric-list", "get"): (None, None, [403, 200, 200, 200, 200, 200, 200, 200]),
    ("metric-observations", "post"): (None, lambda w, u: [{"product": "MX-1", "metric": "revenue",
                                                           "date": "2026-10-02", "value": 1.5}],
                                      [403, 200, 400, 403, 403, 403, 200, 200]),
    ("metric-detail", "get"): (lambda w: {"code": "revenue"}, None, [403, 200, 200, 200, 200, 200, 200, 200]),
    ("kpi-snapshot-list", "get"): (None, None, [403, 200, 200, 200, 200, 200, 200, 200]),
    ("kpi-snapshot-compute", "post"): (None, lambda w, u: {"period": "2026-10", "granularity": "month"},
                                       [403, 403, 403, 403, 403, 403, 202, 202]),
    ("kpi-snapshot-detail", "get"): (lambda w: {"pk": w.snapshot.pk}, None, [403, 200, 200, 200, 200, 200, 200, 200]),
    ("task-detail", "get"): (lambda w: {"pk": str(uuid.UUID(int=1))}, None, [403, 200, 200, 200, 200, 200, 200, 200]),
    ("alert-list", "get"): (None, None, [403, 200, 200, 200, 200, 200, 200, 200]),
    ("alert-detail", "get"): (lambda w: {"pk": w.alert.pk}, None, [403, 200, 200, 200, 200, 200, 200, 200]),
    ("alert-acknowledge", "post"): (lambda w: {"pk": w.alert.pk}, lambda w, u: {"comment": "跟进"},
                                    [403, 200, 403, 200, 403, 403, 200, 200]),
    ("alert-resolve", "post"): (lambda w: {"pk": w.alert.pk}, lambda w, u: {"comment": "已处理"},
                                [403, 200, 403, 200, 403, 403, 200, 200]),
    ("scorecard-list", "get"): (None, None, [403, 200, 200, 403, 403, 200, 200, 200]),
}


def api_routes() -> set[tuple[str, str]]:
    """(url name, method) of every view under /api/v1/, read from the URL conf."""
    found = set()

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif prefix.startswith("api/v1/"):
                callback = pattern.callback
                actions = getattr(callback, "actions", None)
                view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
                methods = actions or {m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)}
                found.update((pattern.name, method) for method in methods)

    walk(get_resolver().url_patterns)
    return found


def test_every_api_route_and_method_has_a_row():
    assert sorted(api_routes() - set(MATRIX)) == []
    assert sorted(set(MATRIX) - api_routes()) == []


@pytest.mark.parametrize("key", sorted(MATRIX), ids=lambda key: f"{key[1].upper()} {key[0]}")
def test_permission_matrix(world, key):
    name, method = key
    kwargs_of, body_of, expected = MATRIX[key]
    url = reverse(f"api:{name}", kwargs=kwargs_of(world) if kwargs_of else None)
    results = []
    for role in ROLES:
        user = world.users.get(role)
        client = APIClient()
        if user is not None and name != "auth-token":
            client.force_authenticate(user)
        body = body_of(world, user) if body_of else None
        with transaction.atomic():
            response = getattr(client, method)(url, body, format="json") if body is not None else \
                getattr(client, method)(url)
            results.append(response.status_code)
            transaction.set_rollback(True)
    assert results == expected
