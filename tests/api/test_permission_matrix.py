"""Role × endpoint permission matrix for every /api/v1/ route (Taiga style).

The routes are read from the URL conf: an endpoint (or method) added without a row here fails
`test_every_api_route_and_method_has_a_row`. Each request runs in a savepoint rolled back afterwards, so every role
meets the same state.
"""
import datetime as dt

import pytest
from django.db import transaction
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import (
    COMPLAINT,
    PASSWORD,
    ROLES,
    permission_world,
)
from tests.helpers import table_states, written_tables

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return permission_world()


REQUIREMENT = {"source": "internal", "type": "feature", "priority": "P2", "description": "说明"}


CHANGE = {"summary": "年费下调", "reason": "competitor", "terms": {"fee": "80"}}
PILOT = {"regions": ["北京"], "segments": ["youth"], "channels": ["mobile_banking"],
         "start": timezone.localdate().isoformat(), "end": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
         "criteria": [{"metric": "csat", "op": ">=", "value": 80}]}
RISK = {"title": "欺诈风险", "category": "operational", "source": "product", "method": "qualitative",
        "likelihood": 3, "impact": 3, "response": "mitigate", "residual_likelihood": 2, "residual_impact": 2,
        "controls": [{"description": "交易监控", "type": "detective"}]}
REVIEW = {"likelihood": 3, "impact": 2, "residual_likelihood": 2, "residual_impact": 2, "comment": "季度复评"}


def exit_plan_payload(w, user):
    """The retiring product's plan as it stands, with a reworded reason (PUT replaces the whole plan)."""
    plan = w.retiring.exit_plan
    return {"reason": "客户持续流失，产品退出（修订）。",
            "evidence": {"requirements": list(plan.requirements.values_list("pk", flat=True))},
            "notice_date": plan.notice_date.isoformat(), "close_date": plan.close_date.isoformat(),
            "segments": [{"name": s.name, "customers": s.customers} for s in plan.segments.all()]}


def product_payload(w, user):
    body = {"code": "MX-NEW", "name": "新产品", "category": "deposit", "customer_segment": "mass_market",
            "risk_rating": "R1", "sales_channels": ["branch"]}
    return body if user is None or user.is_product_manager else {**body, "owner": w.users["owner_pm"].pk}


# (url name, method): (url kwargs, body, [statuses for ROLES in order])
MATRIX = {
    ("auth-token", "post"): (None, lambda w, u: {"username": "m_owner", "password": PASSWORD},
                             [200, 200, 200, 200, 200, 200, 200, 200]),
    ("me", "get"): (None, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("audit-list", "get"): (None, None, [401, 200, 200, 200, 403, 200, 200, 200]),
    ("product-list", "get"): (None, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("roadmap", "get"): (None, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("review-pack", "get"): (lambda w: {"pk": w.review.pk}, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("product-review-list", "get"): (None, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("product-review-detail", "get"): (lambda w: {"pk": w.periodic.pk}, None,
                                       [401, 200, 200, 200, 200, 200, 200, 200]),
    ("product-list", "post"): (None, product_payload, [401, 201, 201, 403, 403, 403, 201, 201]),
    ("product-detail", "get"): (lambda w: {"pk": w.product.pk}, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("product-detail", "patch"): (lambda w: {"pk": w.product.pk}, lambda w, u: {"name": "改名"},
                                  [401, 200, 403, 403, 403, 403, 200, 200]),
    # On `spare`: `product` has a review pending, so a PUT (which rewrites its terms) is 409 review_pending.
    ("product-detail", "put"): (lambda w: {"pk": w.spare.pk},
                                lambda w, u: {**product_payload(w, u), "code": "MX-2"},
                                [401, 200, 403, 403, 403, 403, 200, 200]),
    ("product-deliverables", "get"): (lambda w: {"product_pk": w.product.pk}, None,
                                      [401, 200, 200, 200, 200, 200, 200, 200]),
    ("product-gate-reviews", "get"): (lambda w: {"product_pk": w.product.pk}, None,
                                      [401, 200, 200, 200, 200, 200, 200, 200]),
    ("product-gate-reviews", "post"): (lambda w: {"product_pk": w.spare.pk}, lambda w, u: {},
                                       [401, 201, 403, 403, 403, 403, 201, 403]),
    ("product-history", "get"): (lambda w: {"product_pk": w.product.pk}, None,
                                 [401, 200, 403, 200, 403, 200, 200, 200]),
    ("deliverable-detail", "get"): (lambda w: {"pk": w.deliverable.pk}, None,
                                    [401, 200, 200, 200, 200, 200, 200, 200]),
    ("deliverable-waiver", "post"): (lambda w: {"pk": w.waiver.pk}, lambda w, u: {"decision": "approve"},
                                     [401, 403, 403, 200, 403, 200, 200, 403]),
    ("deliverable-detail", "patch"): (lambda w: {"pk": w.deliverable.pk},
                                      lambda w, u: {"link": "https://docs.bank.example/x"},
                                      [401, 200, 403, 403, 403, 403, 200, 200]),
    ("gate-review-list", "get"): (None, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("gate-review-detail", "get"): (lambda w: {"pk": w.review.pk}, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("gate-review-decisions", "post"): (lambda w: {"pk": w.review.pk},
                                        lambda w, u: {"department": "risk", "decision": "approve"},
                                        [401, 403, 403, 201, 403, 403, 403, 403]),
    ("delegation-list", "get"): (None, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    # Approval conditions: the owner (or a head of product, an admin) records one done; only the deciding
    # department (risk) waives it.
    ("condition-list", "get"): (None, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("condition-detail", "get"): (lambda w: {"pk": w.condition.pk}, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("condition-done", "post"): (lambda w: {"pk": w.condition.pk}, lambda w, u: {"comment": "已完成"},
                                 [401, 200, 403, 403, 403, 403, 200, 200]),
    ("condition-waive", "post"): (lambda w: {"pk": w.condition.pk}, lambda w, u: {"reason": "不再需要"},
                                  [401, 403, 403, 200, 403, 403, 403, 403]),
    # Only reviewers delegate, to a colleague of their own department: finance and senior management name a risk
    # reviewer (400), the others are not reviewers at all (403).
    ("delegation-list", "post"): (None, lambda w, u: {"delegate": w.delegation.delegate_id,
                                                      "starts_on": timezone.localdate().isoformat(),
                                                      "ends_on": (timezone.localdate()
                                                                  + dt.timedelta(days=2)).isoformat()},
                                  [401, 403, 403, 201, 400, 400, 403, 403]),
    ("delegation-detail", "delete"): (lambda w: {"pk": w.delegation.pk}, None,
                                      [401, 404, 404, 204, 404, 404, 404, 204]),
    ("requirement-list", "get"): (None, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("requirement-list", "post"): (None, lambda w, u: {"product": w.product.pk, "title": "新需求", **REQUIREMENT},
                                   [401, 201, 403, 403, 403, 403, 201, 201]),
    ("requirement-bulk", "post"): (None, lambda w, u: [{"product": w.product.pk, "title": "批量需求", **REQUIREMENT}],
                                   [401, 201, 400, 403, 403, 403, 201, 201]),
    ("requirement-detail", "get"): (lambda w: {"pk": w.requirement.pk}, None,
                                    [401, 200, 200, 200, 200, 200, 200, 200]),
    ("requirement-detail", "patch"): (lambda w: {"pk": w.requirement.pk}, lambda w, u: {"priority": "P0"},
                                      [401, 200, 403, 403, 403, 403, 200, 200]),
    ("requirement-detail", "put"): (lambda w: {"pk": w.requirement.pk},
                                    lambda w, u: {"product": w.product.pk, "title": "整体替换", **REQUIREMENT},
                                    [401, 200, 403, 403, 403, 403, 200, 200]),
    ("requirement-detail", "delete"): (lambda w: {"pk": w.requirement.pk}, None,
                                       [401, 204, 403, 403, 403, 403, 204, 204]),
    ("requirement-transitions", "post"): (lambda w: {"pk": w.requirement.pk}, lambda w, u: {"transition": "analyse"},
                                          [401, 200, 403, 403, 403, 403, 200, 200]),
    ("version-list", "get"): (None, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("version-list", "post"): (None, lambda w, u: {"product": w.product.pk, "name": "v9.9",
                                                   "planned_date": "2027-03-01"},
                               [401, 201, 403, 403, 403, 403, 201, 201]),
    ("version-detail", "get"): (lambda w: {"pk": w.version.pk}, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("version-detail", "patch"): (lambda w: {"pk": w.version.pk}, lambda w, u: {"name": "v9.8"},
                                  [401, 200, 403, 403, 403, 403, 200, 200]),
    ("version-detail", "put"): (lambda w: {"pk": w.version.pk},
                                lambda w, u: {"product": w.product.pk, "name": "v9.7", "planned_date": "2027-04-01"},
                                [401, 200, 403, 403, 403, 403, 200, 200]),
    ("version-release", "post"): (lambda w: {"pk": w.version.pk}, None, [401, 200, 403, 403, 403, 403, 200, 200]),
    ("feedback-list", "get"): (None, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("feedback-list", "post"): (None, lambda w, u: {"product": w.product.pk, "channel": "hotline",
                                                    "customer_segment": "mass_market", "text": "限额太低",
                                                    "sentiment": "negative", "received_on": "2026-10-01"},
                                [401, 201, 403, 403, 403, 403, 201, 201]),
    ("feedback-convert", "post"): (None, lambda w, u: {"feedback": [w.feedback.pk], "title": "提高限额"},
                                   [401, 201, 403, 403, 403, 403, 201, 201]),
    ("feedback-detail", "get"): (lambda w: {"pk": w.feedback.pk}, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("feedback-detail", "patch"): (lambda w: {"pk": w.feedback.pk}, lambda w, u: {"text": "更正"},
                                   [401, 200, 403, 403, 403, 403, 200, 200]),
    ("feedback-detail", "put"): (lambda w: {"pk": w.feedback.pk},
                                 lambda w, u: {"product": w.product.pk, "channel": "hotline",
                                               "customer_segment": "mass_market", "text": "整体更正",
                                               "sentiment": "neutral", "received_on": "2026-10-02"},
                                 [401, 200, 403, 403, 403, 403, 200, 200]),
    ("feedback-detail", "delete"): (lambda w: {"pk": w.feedback.pk}, None, [401, 204, 403, 403, 403, 403, 204, 204]),
    ("metric-list", "get"): (None, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("metric-observations", "post"): (None, lambda w, u: [{"product": "MX-1", "metric": "revenue",
                                                           "date": "2026-10-02", "value": 1.5}],
                                      [401, 200, 400, 403, 403, 403, 200, 200]),
    ("metric-detail", "get"): (lambda w: {"code": "revenue"}, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("kpi-snapshot-list", "get"): (None, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("kpi-snapshot-compute", "post"): (None, lambda w, u: {"period": "2026-10", "granularity": "month"},
                                       [401, 403, 403, 403, 403, 403, 202, 202]),
    ("kpi-snapshot-detail", "get"): (lambda w: {"pk": w.snapshot.pk}, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    # A run's state is its starter's (the head here) and the admins' to read: 404 for anyone else.
    ("task-detail", "get"): (lambda w: {"pk": str(w.task_run.pk)}, None, [401, 404, 404, 404, 404, 404, 200, 200]),
    ("alert-list", "get"): (None, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("alert-detail", "get"): (lambda w: {"pk": w.alert.pk}, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("alert-acknowledge", "post"): (lambda w: {"pk": w.alert.pk}, lambda w, u: {"comment": "跟进"},
                                    [401, 200, 403, 200, 403, 403, 200, 200]),
    ("alert-resolve", "post"): (lambda w: {"pk": w.alert.pk}, lambda w, u: {"comment": "已处理"},
                                [401, 200, 403, 200, 403, 403, 200, 200]),
    ("scorecard-list", "get"): (None, None, [401, 200, 200, 403, 403, 200, 200, 200]),
    # Terms changes: product editors write (ReadOrProductEditor, then product_can_edit in changes.services).
    ("product-terms", "get"): (lambda w: {"product_pk": w.launched.pk}, None,
                               [401, 200, 200, 200, 200, 200, 200, 200]),
    ("product-changes", "get"): (lambda w: {"product_pk": w.draft.product_id}, None,
                                 [401, 200, 200, 200, 200, 200, 200, 200]),
    ("product-changes", "post"): (lambda w: {"product_pk": w.launched.pk}, lambda w, u: CHANGE,
                                  [401, 201, 403, 403, 403, 403, 201, 201]),
    ("change-list", "get"): (None, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("change-detail", "get"): (lambda w: {"pk": w.draft.pk}, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("change-detail", "patch"): (lambda w: {"pk": w.draft.pk}, lambda w, u: {"summary": "年费下调至 80 元"},
                                 [401, 200, 403, 403, 403, 403, 200, 200]),
    ("change-submit", "post"): (lambda w: {"pk": w.draft.pk}, None, [401, 201, 403, 403, 403, 403, 201, 403]),
    ("change-pilot", "post"): (lambda w: {"pk": w.approved.pk}, lambda w, u: PILOT,
                               [401, 200, 403, 403, 403, 403, 200, 200]),
    # Criteria met, no override: senior management rolls out only with an override (tests/changes covers it).
    ("change-rollout", "post"): (lambda w: {"pk": w.piloting.pk}, lambda w, u: {},
                                 [401, 200, 403, 403, 403, 403, 200, 200]),
    ("change-withdraw", "post"): (lambda w: {"pk": w.draft.pk}, lambda w, u: {"reason": "暂缓调整"},
                                  [401, 200, 403, 403, 403, 403, 200, 200]),
    # Risk register: product editors, the risk department and the risk's owner write; senior management accepts.
    ("product-risks", "get"): (lambda w: {"product_pk": w.product.pk}, None,
                               [401, 200, 200, 200, 200, 200, 200, 200]),
    ("product-risks", "post"): (lambda w: {"product_pk": w.product.pk}, lambda w, u: RISK,
                                [401, 201, 403, 201, 403, 403, 201, 201]),
    ("risk-list", "get"): (None, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("risk-heatmap", "get"): (None, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("risk-detail", "get"): (lambda w: {"pk": w.risk.pk}, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("risk-detail", "patch"): (lambda w: {"pk": w.risk.pk}, lambda w, u: {"title": "放款操作失误"},
                               [401, 200, 403, 200, 403, 403, 200, 200]),
    ("risk-reviews", "get"): (lambda w: {"pk": w.risk.pk}, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("risk-reviews", "post"): (lambda w: {"pk": w.risk.pk}, lambda w, u: REVIEW,
                               [401, 201, 403, 201, 403, 403, 201, 201]),
    ("risk-accept", "post"): (lambda w: {"pk": w.pending_risk.pk}, lambda w, u: {"comment": "在风险偏好内"},
                              [401, 403, 403, 403, 403, 200, 403, 403]),
    # Exit runbook: product editors write the plan and progress; the task's owner or an editor finishes a task.
    ("product-exit-plan", "get"): (lambda w: {"product_pk": w.retiring.pk}, None,
                                   [401, 200, 200, 200, 200, 200, 200, 200]),
    ("product-exit-plan", "put"): (lambda w: {"product_pk": w.retiring.pk}, exit_plan_payload,
                                   [401, 200, 403, 403, 403, 403, 200, 200]),
    ("product-exit-progress", "post"): (lambda w: {"product_pk": w.retiring.pk},
                                        lambda w, u: [{"segment": "全部客户", "date": timezone.localdate().isoformat(),
                                                       "migrated": 4, "closed": 1}],
                                        [401, 200, 403, 403, 403, 403, 200, 200]),
    ("exit-task-detail", "get"): (lambda w: {"pk": w.exit_task.pk}, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("exit-task-detail", "patch"): (lambda w: {"pk": w.exit_task.pk}, lambda w, u: {"status": "done"},
                                    [401, 200, 403, 403, 403, 403, 200, 200]),
    # Complaints: product editors and compliance register and handle; everybody signed in reads.
    ("complaint-list", "get"): (None, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("complaint-list", "post"): (None, lambda w, u: [COMPLAINT], [401, 201, 400, 403, 403, 403, 201, 201]),
    ("complaint-detail", "get"): (lambda w: {"pk": w.complaint.pk}, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("complaint-detail", "patch"): (lambda w: {"pk": w.complaint.pk}, lambda w, u: {"root_cause": "pricing"},
                                    [401, 200, 403, 403, 403, 403, 200, 200]),
    ("complaint-transition", "post"): (lambda w: {"pk": w.complaint.pk}, lambda w, u: {"transition": "investigate"},
                                       [401, 200, 403, 403, 403, 403, 200, 200]),
    ("complaint-from-feedback", "post"): (None, lambda w, u: {"feedback": w.complaint_feedback.pk, "category": "fees",
                                                              "severity": "low"},
                                          [401, 201, 400, 403, 403, 403, 201, 201]),
    ("complaint-pareto", "get"): (None, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    # Webhooks: only administrators subscribe; an owner (here the administrator) sees and manages their own.
    ("webhook-list", "get"): (None, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("webhook-list", "post"): (None, lambda w, u: {"name": "数据仓库", "target_url": "http://127.0.0.1:9/dw",
                                                   "events": ["review.decided"]},
                               [401, 403, 403, 403, 403, 403, 403, 201]),
    ("webhook-detail", "get"): (lambda w: {"pk": w.subscription.pk}, None, [401, 404, 404, 404, 404, 404, 404, 200]),
    ("webhook-detail", "patch"): (lambda w: {"pk": w.subscription.pk}, lambda w, u: {"name": "核心系统（新）"},
                                  [401, 404, 404, 404, 404, 404, 404, 200]),
    ("webhook-rotate-secret", "post"): (lambda w: {"pk": w.subscription.pk}, None,
                                        [401, 404, 404, 404, 404, 404, 404, 200]),
    ("webhook-delivery-list", "get"): (None, None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("webhook-delivery-detail", "get"): (lambda w: {"pk": w.delivery.pk}, None,
                                         [401, 404, 404, 404, 404, 404, 404, 200]),
    ("webhook-delivery-resend", "post"): (lambda w: {"pk": w.delivery.pk}, None,
                                          [401, 404, 404, 404, 404, 404, 404, 202]),
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
                # A viewset's first GET adds "head" to its `actions` in place: count only the methods it declares.
                methods = {m for m in ("get", "post", "put", "patch", "delete")
                           if (m in actions if actions else hasattr(view, m))}
                found.update((pattern.name, method) for method in methods)

    walk(get_resolver().url_patterns)
    return found


def test_every_api_route_and_method_has_a_row():
    assert sorted(api_routes() - set(MATRIX)) == []
    assert sorted(set(MATRIX) - api_routes()) == []


def test_anonymous_is_401_on_every_route_but_the_token_one():
    """As the README promises: a request without credentials is told to authenticate (401), never 403."""
    assert {key for key, (_kwargs, _body, expected) in MATRIX.items() if expected[0] != 401} == {
        ("auth-token", "post")}


@pytest.mark.parametrize("key", sorted(MATRIX), ids=lambda key: f"{key[1].upper()} {key[0]}")
def test_permission_matrix(world, key):
    name, method = key
    kwargs_of, body_of, expected = MATRIX[key]
    url = reverse(f"api:{name}", kwargs=kwargs_of(world) if kwargs_of else None)
    results, tables = [], written_tables()
    for role in ROLES:
        user = world.users.get(role)
        client = APIClient()
        if user is not None and name != "auth-token":
            client.force_authenticate(user)
        body = body_of(world, user) if body_of else None
        with transaction.atomic():
            before = table_states(tables)
            response = getattr(client, method)(url, body, format="json") if body is not None else \
                getattr(client, method)(url)
            results.append(response.status_code)
            if response.status_code == 401:
                assert response.headers.get("WWW-Authenticate") == "Token", (role, response.headers)
            if response.status_code >= 400:  # refused: not a row written anywhere
                after = table_states(tables)
                changed = sorted(label for label in before if after[label] != before[label])
                assert changed == [], (role, response.status_code, changed)
            transaction.set_rollback(True)
    assert results == expected
