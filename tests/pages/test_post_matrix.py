"""Role × page POST matrix: every page URL that changes something, posted by each role (the API's has its twin).

The URLs are read from the URL conf: a page view that accepts POST added without a row here fails
`test_every_page_post_has_a_row`. Each POST runs in a savepoint rolled back afterwards, so every role meets the same
state (the world of tests/factories.permission_world). A cell is the answer's status ("login" for the redirect to
the sign-in page), then "!" when the page told the user it refused (an error message), then "*" when the POST wrote
rows: every table is compared before and after each POST (tests.helpers.table_states), so a cell without "*" is
proven to have changed nothing, and a refusal (403, 404, 400, 409, "login" or "!") with "*" fails at once.
"""
import datetime as dt

import pytest
from django.contrib.messages import constants, get_messages
from django.db import transaction
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from kpis.models import Metric
from notifications.models import Notification
from products.models import SalesChannel
from roadmap import services as roadmap_services
from tests.factories import ROLES, permission_world
from tests.helpers import table_states, written_tables

pytestmark = pytest.mark.django_db

# Page URLs that accept POST but change no governed row, each with why.
NOT_WRITES = {
    "favicon.ico": "a redirect to the static icon (RedirectView answers every method)",
    "login": "signing in (its throttling and lockout are tests/bankpm/test_auth's)",
    "logout": "signing out",
    "oidc_logout": "signing out of the identity provider",
    "set_language": "the language cookie",
}
REFUSED_STATUSES = {400, 403, 404, 405, 409}


@pytest.fixture
def world(db):
    world = permission_world()
    owner = world.users["owner_pm"]
    world.plan = roadmap_services.roadmap_plan_set(user=owner, product=world.spare, kind="stage", stage="operation",
                                                  target_date=timezone.localdate() + dt.timedelta(days=200))
    world.notification = Notification.objects.filter(recipient=owner).order_by("id").first()
    return world


def channel(code):
    return SalesChannel.objects.get(code=code).pk


def today(days=0):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


PRODUCT = {"name": "新产品", "category": "deposit", "customer_segment": "mass_market", "risk_rating": "R1"}
REQUIREMENT = {"title": "新需求", "source": "internal", "type": "feature", "priority": "P2", "description": "说明",
               "reach": 1000, "impact": "1.00", "confidence": 80, "effort": "2.0"}
RISK = {"title": "欺诈风险", "category": "operational", "source": "product", "method": "qualitative",
        "likelihood": 3, "impact": 3, "response": "mitigate", "residual_likelihood": 2, "residual_impact": 2,
        "controls-TOTAL_FORMS": 1, "controls-INITIAL_FORMS": 0, "controls-0-description": "交易监控",
        "controls-0-type": "detective"}
FEEDBACK = {"channel": "hotline", "customer_segment": "mass_market", "text": "限额太低", "sentiment": "negative",
            "received_on": "2026-10-01"}
PRICE_VALUE = {"price_paid": "年费 100 元", "value_received": "积分与保险", "comparison": "低于同业",
               "conclusion": "价格合理"}


def periodic_in_review(w):
    """The world's periodic review with its pack submitted by its owner (risk and compliance now decide it)."""
    from reviews import services as review_services

    owner = w.users["owner_pm"]
    review = review_services.review_prepare(user=owner, review=w.periodic, data=PRICE_VALUE)
    return review_services.review_submit(user=owner, review=review)


# url name: (url kwargs, POST body, [cells for ROLES in order]). Anonymous posts are refused with the sign-in
# redirect or a 403; a refusal a page words as a form error (other_pm's "200" on another's product) or a message
# ("302!") is proven to write nothing all the same.
PAGES = {
    "core:verification-start": (None, lambda w: {}, ["login", "403", "403", "403", "403", "403", "403", "302*"]),
    "products:create": (None, lambda w: {**PRODUCT, "code": "MX-NEW", "owner": w.users["owner_pm"].pk,
                                         "sales_channels": [channel("branch")]},
        ["login", "302*", "302*", "403", "403", "403", "302*", "302*"]),
    "products:edit": (lambda w: {"pk": w.spare.pk},
                      lambda w: {**PRODUCT, "code": "MX-2", "owner": w.users["owner_pm"].pk,
                                 "sales_channels": [channel("branch")]},
        ["login", "302*", "403", "403", "403", "403", "302*", "302*"]),
    "lifecycle:delegations": (None, lambda w: {"delegate": w.delegation.delegate_id, "starts_on": today(),
                                               "ends_on": today(2)},
        ["login", "400", "400", "302*", "400", "400", "400", "400"]),
    "lifecycle:delegation_end": (lambda w: {"pk": w.delegation.pk}, lambda w: {},
        ["login", "403", "403", "302*", "403", "403", "403", "302*"]),
    "lifecycle:step_decide": (lambda w: {"pk": w.review.steps.get(department="risk").pk},
                              lambda w: {"decision": "approve", "comment": "同意"},
        ["login", "403", "403", "302*", "403", "403", "403", "403"]),
    "lifecycle:steps_decide_bulk": (None, lambda w: {"step": [w.review.steps.get(department="risk").pk],
                                                     "decision": "approve", "comment": "同意"},
        ["login", "302!", "302!", "302*", "302!", "302!", "302!", "302!"]),
    "lifecycle:gate_submit": (lambda w: {"pk": w.spare.pk}, lambda w: {},
        ["login", "302*", "403", "403", "403", "403", "302*", "403"]),
    "lifecycle:deliverable_update": (lambda w: {"pk": w.deliverable.pk},
                                     lambda w: {"status": "done", "link": "https://docs.bank.example/x"},
        ["login", "302*", "403", "403", "403", "403", "302*", "302*"]),
    "lifecycle:condition_action": (lambda w: {"pk": w.condition.pk}, lambda w: {"action": "done", "text": "已完成"},
        ["login", "302*", "302!", "302!", "302!", "302!", "302*", "302*"]),
    "lifecycle:deliverable_waiver": (lambda w: {"pk": w.waiver.pk}, lambda w: {"decision": "approve"},
        ["login", "302!", "302!", "302*", "302!", "302*", "302*", "302!"]),
    "requirements:create": (None, lambda w: {**REQUIREMENT, "product": w.product.pk},
        ["login", "302*", "200", "403", "403", "403", "302*", "302*"]),
    "requirements:bulk": (None, lambda w: {"ids": [w.requirement.pk], "action": "set_priority",
                                           "value_set_priority": "P0"},
        ["403", "302*", "302!", "302!", "302!", "302!", "302*", "302*"]),
    "requirements:import": (lambda w: {"kind": "requirements"}, lambda w: {"dry_run": "1"},
        ["403", "200", "200", "403", "403", "403", "200", "200"]),
    "requirements:edit": (lambda w: {"pk": w.requirement.pk},
                          lambda w: {**REQUIREMENT, "product": w.product.pk, "title": "改名"},
        ["login", "302*", "403", "403", "403", "403", "302*", "302*"]),
    "requirements:transition": (lambda w: {"pk": w.requirement.pk}, lambda w: {"transition": "analyse"},
        ["403", "302*", "302!", "302!", "302!", "302!", "302*", "302*"]),
    "requirements:comment": (lambda w: {"pk": w.requirement.pk}, lambda w: {"body": "请补充数据"},
        ["403", "302*", "302*", "302*", "302*", "302*", "302*", "302*"]),
    "requirements:version-create": (None, lambda w: {"product": w.product.pk, "name": "v9.9",
                                                     "planned_date": "2027-03-01"},
        ["login", "302*", "200", "403", "403", "403", "302*", "302*"]),
    "requirements:version-edit": (lambda w: {"pk": w.version.pk},
                                  lambda w: {"product": w.product.pk, "name": "v9.8", "planned_date": "2027-03-01"},
        ["login", "302*", "403", "403", "403", "403", "302*", "302*"]),
    "requirements:version-release": (lambda w: {"pk": w.version.pk}, lambda w: {},
        ["403", "302*", "403", "403", "403", "403", "302*", "302*"]),
    "requirements:feedback-create": (None, lambda w: {**FEEDBACK, "product": w.product.pk},
        ["login", "302*", "200", "403", "403", "403", "302*", "302*"]),
    "requirements:feedback-convert": (None, lambda w: {"feedback": [w.feedback.pk], "title": "提高限额"},
        ["403", "302*", "302!", "302!", "302!", "302!", "302*", "302*"]),
    "kpis:dashboard": (None, lambda w: {}, ["login", "403", "403", "403", "403", "403", "302*", "302*"]),
    "kpis:alert-action": (lambda w: {"pk": w.alert.pk, "action": "acknowledge"}, lambda w: {"comment": "跟进"},
        ["login", "302*", "403", "302*", "403", "403", "302*", "302*"]),
    "kpis:upload": (None, lambda w: {"dry_run": "1"}, ["403", "200", "200", "403", "403", "403", "200", "200"]),
    "kpis:targets": (None, lambda w: {"product": w.spare.pk, "metric": Metric.objects.get(code="revenue").pk,
                                      "year": 2027, "annual_value": 1200, "granularity": "month", "warning_pct": 90,
                                      "critical_pct": 80},
        ["login", "403", "403", "403", "403", "403", "302*", "302*"]),
    "risks:create": (lambda w: {"pk": w.product.pk}, lambda w: RISK,
        ["login", "302*", "403", "302*", "403", "403", "302*", "302*"]),
    "risks:edit": (lambda w: {"risk_pk": w.risk.pk}, lambda w: {**RISK, "title": "放款操作失误"},
        ["login", "302*", "403", "302*", "403", "403", "302*", "302*"]),
    "risks:review": (lambda w: {"pk": w.risk.pk}, lambda w: {"likelihood": 3, "impact": 2, "residual_likelihood": 2,
                                                             "residual_impact": 2, "comment": "季度复评"},
        ["login", "302*", "302!", "302*", "302!", "302!", "302*", "302*"]),
    "risks:accept": (lambda w: {"pk": w.pending_risk.pk}, lambda w: {"comment": "在风险偏好内"},
        ["login", "302!", "302!", "302!", "302!", "302*", "302!", "302!"]),
    "risks:close": (lambda w: {"pk": w.risk.pk}, lambda w: {"reason": "不再适用"},
        ["login", "302*", "302!", "302*", "302!", "302!", "302*", "302*"]),
    # The body leaves out the plan's segments, i.e. lowers the approved customer counts: only the exit process's
    # approvers may, so every role is refused here (the plan's own edits are tests/exits').
    "exits:plan-edit": (lambda w: {"pk": w.retiring.pk}, lambda w: {"reason": "客户持续流失，产品退出（修订）。"},
        ["login", "403", "403", "403", "403", "403", "403", "403"]),
    "exits:progress-upload": (lambda w: {"pk": w.retiring.pk}, lambda w: {"dry_run": "1"},
        ["login", "200", "403", "403", "403", "403", "200", "200"]),
    "exits:task-action": (lambda w: {"pk": w.exit_task.pk}, lambda w: {"status": "done"},
        ["login", "302*", "302!", "302!", "302!", "302!", "302*", "302*"]),
    "changes:create": (lambda w: {"pk": w.launched.pk},
                       lambda w: {"summary": "年费下调", "reason": "competitor", "fee": "80",
                                  "risk_rating": w.launched.risk_rating,
                                  "customer_segment": w.launched.customer_segment},
        ["login", "302*", "403", "403", "403", "403", "302*", "302*"]),
    "changes:submit": (lambda w: {"pk": w.draft.pk}, lambda w: {},
        ["login", "302*", "403", "403", "403", "403", "302*", "403"]),
    "changes:pilot": (lambda w: {"pk": w.approved.pk},
                      lambda w: {"regions": "北京", "segments": ["youth"], "channels": ["mobile_banking"],
                                 "start": today(), "end": today(30), "metric_0": "csat", "op_0": ">=",
                                 "value_0": 80}, ["login", "302*", "403", "403", "403", "403", "302*", "302*"]),
    "changes:rollout": (lambda w: {"pk": w.piloting.pk}, lambda w: {},
        ["login", "302*", "403", "403", "403", "403", "302*", "302*"]),
    "changes:override": (lambda w: {"pk": w.piloting.pk}, lambda w: {"reason": "提前推广"},
        ["login", "403", "403", "403", "403", "302*", "403", "403"]),
    "changes:withdraw": (lambda w: {"pk": w.draft.pk}, lambda w: {"reason": "暂缓调整"},
        ["login", "302*", "403", "403", "403", "403", "302*", "302*"]),
    "complaints:detail": (lambda w: {"pk": w.complaint.pk}, lambda w: {"action": "investigate"},
        ["login", "302*", "302!", "302!", "302!", "302!", "302*", "302*"]),
    "complaints:from-feedback": (lambda w: {"pk": w.complaint_feedback.pk},
                                 lambda w: {"category": "fees", "severity": "low"},
        ["login", "302*", "200", "200", "200", "200", "302*", "302*"]),
    "complaints:upload": (None, lambda w: {"dry_run": "1"}, ["login", "200", "200", "200", "200", "200", "200", "200"]),
    "notifications:mark-read": (None, lambda w: {}, ["login", "302*", "302", "302*", "302*", "302*", "302*", "302"]),
    "notifications:open": (lambda w: {"pk": w.notification.pk}, lambda w: {},
        ["login", "302*", "404", "404", "404", "404", "404", "404"]),
    "roadmap:plan_set": (lambda w: {"pk": w.spare.pk},
                         lambda w: {"target": "stage:operation", "target_date": today(90), "comment": "提前"},
        ["login", "302*", "403", "403", "403", "403", "302*", "302*"]),
    "roadmap:plan_clear": (lambda w: {"pk": w.plan.pk}, lambda w: {},
        ["login", "302*", "403", "403", "403", "403", "302*", "302*"]),
    # Periodic reviews: only a head of product opens one at will; the owner or a head prepares the pack; a member
    # of a deciding department (not a maker) decides.
    "reviews:open": (None, lambda w: {"product": w.draft.product_id, "reason": "投诉激增"},
        ["login", "302!", "302!", "302!", "302!", "302!", "302*", "302!"]),
    "reviews:prepare": (lambda w: {"pk": w.periodic.pk}, lambda w: PRICE_VALUE,
        ["login", "302*", "302!", "302!", "302!", "302!", "302*", "302!"]),
    "reviews:decide": (lambda w: {"pk": periodic_in_review(w).pk},
                       lambda w: {"decision": "approve", "outcome": "keep", "comment": "同意"},
        ["login", "302!", "302!", "302*", "302!", "302!", "302!", "302!"]),
}


def page_posts() -> set[str]:
    """The name of every page view (not /api/, not the Django admin) that accepts POST, read from the URL conf:
    class-based views with a `post` method, function views that read `request.POST` or require it."""
    import inspect

    found = set()

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
                continue
            path = prefix + str(pattern.pattern)
            if path.lstrip("^").startswith(("api/", "admin/")):
                continue
            view = getattr(pattern.callback, "view_class", None)
            if view is not None:
                posts = hasattr(view, "post")
            else:
                function = inspect.unwrap(pattern.callback)
                posts = "POST" in inspect.getsource(function)
            if posts:
                found.add(f"{namespace}{pattern.name}" if pattern.name else path)

    walk(get_resolver().url_patterns)
    return found


def test_every_page_post_has_a_row():
    assert sorted(page_posts() - set(PAGES) - set(NOT_WRITES)) == []
    assert sorted((set(PAGES) | set(NOT_WRITES)) - page_posts()) == []


def cell(response, wrote: bool) -> str:
    """What a POST answered: its status or "login" for the sign-in redirect; "!" when it said it refused; "*" when
    it wrote rows."""
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        status = "login"
    else:
        refused = any(m.level >= constants.ERROR for m in get_messages(response.wsgi_request))
        status = f"{response.status_code}{'!' if refused else ''}"
    return status + ("*" if wrote else "")


def is_refusal(result: str) -> bool:
    status = result.rstrip("*")
    return status == "login" or status.endswith("!") or int(status) in REFUSED_STATUSES


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_post_matrix(world, client, name):
    kwargs_of, body_of, expected = PAGES[name]
    url = reverse(name, kwargs=kwargs_of(world) if kwargs_of else None)
    # Not the signed-in person's session: the page's messages to them travel in it.
    results, tables = [], [model for model in written_tables() if model._meta.label != "sessions.Session"]
    for role in ROLES:
        client.logout()
        if world.users.get(role) is not None:
            client.force_login(world.users[role])
        with transaction.atomic():
            before = table_states(tables)
            response = client.post(url, body_of(world))
            after = table_states(tables)
            changed = sorted(label for label in before if after[label] != before[label])
            result = cell(response, wrote=bool(changed))
            results.append(result)
            # Refused: not a row written anywhere.
            assert not (is_refusal(result) and changed), (name, role, result, changed)
            transaction.set_rollback(True)
    assert results == expected, f"{name}: {results}"
