"""The register's REST contract: paths, field names, computed fields, status codes, filters, query counts."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import AuditEntry
from risks.models import Risk, RiskAssessment, RiskControl
from tests.factories import ProductFactory, UserFactory, make_risk
from tests.helpers import api, assert_unchanged

pytestmark = pytest.mark.django_db
LIST = "/api/v1/risks/"


def payload(**overrides):
    body = {"title": "借款人违约风险", "description": "经济下行", "category": "credit", "source": "environment",
            "cause": "收入下降", "method": "quantitative", "method_note": "PD 2.1%", "likelihood": 4, "impact": 4,
            "response": "transfer", "transfer_instrument": "信用保证保险",
            "controls": [{"description": "投保履约保证保险", "type": "preventive"}],
            "residual_likelihood": 2, "residual_impact": 3, "metric": "default_rate"}
    return {**body, **overrides}


def product_url(product):
    return f"/api/v1/products/{product.pk}/risks/"


def test_create_returns_the_risk_with_server_computed_fields(loan):
    response = api(loan.owner).post(product_url(loan), payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("inherent_score", "inherent_level", "residual_score", "residual_level", "status",
                                 "overdue", "owner", "metric")} == {
        "inherent_score": 16, "inherent_level": "critical", "residual_score": 6, "residual_level": "medium",
        "status": "open", "overdue": False, "owner": loan.owner.pk, "metric": "default_rate"}
    assert body["review_due"] == (timezone.localdate() + timedelta(days=90)).isoformat()
    assert body["controls"][0] | {"id": 0} == {"id": 0, "description": "投保履约保证保险", "type": "preventive",
                                               "owner": loan.owner.pk}


@pytest.mark.parametrize(("overrides", "field"), [
    ({"residual_likelihood": 5}, "residual_likelihood"),
    ({"residual_impact": 5}, "residual_impact"),
    ({"likelihood": 6}, "likelihood"),
    ({"impact": 0}, "impact"),
    ({"likelihood": 2.5}, "likelihood"),
    ({"controls": []}, "controls"),
    ({"transfer_instrument": ""}, "transfer_instrument"),
    ({"method_note": ""}, "method_note"),
    ({"metric": "no_such_metric"}, "metric"),
    ({"category": "weather"}, "category"),
    ({"controls": [{"description": "x", "type": "magic"}]}, "controls"),
    ({"colour": "red"}, "colour"),
    ({"review_due": "2000-01-01"}, "review_due"),
    ({"title": 0}, "title"),
])
def test_invalid_risk_is_a_400_naming_the_field_and_changes_nothing(loan, overrides, field):
    response = api(loan.owner).post(product_url(loan), payload(**overrides), format="json")
    assert response.status_code == 400 and field in response.json(), response.content
    assert not Risk.objects.exists()


def test_unknown_product_is_a_404(loan):
    assert api(loan.owner).post("/api/v1/products/999999/risks/", payload(), format="json").status_code == 404


@pytest.mark.parametrize(("role", "departments", "status"), [
    ("product_manager", [], 403), ("reviewer", ["compliance"], 403), ("reviewer", ["risk"], 201),
    ("senior_management", ["senior_management"], 403), ("head_of_product", [], 201), ("administrator", [], 201),
])
def test_who_registers_risks(loan, role, departments, status):
    user = UserFactory(role=role, departments=departments)
    assert api(user).post(product_url(loan), payload(), format="json").status_code == status


def test_patch_edits_and_replaces_controls(loan):
    risk = make_risk(loan)
    body = {"title": "新标题", "controls": [{"description": "限额管理", "type": "detective"},
                                          {"description": "每日对账", "type": "corrective"}]}
    response = api(loan.owner).patch(f"{LIST}{risk.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    assert [c["description"] for c in response.json()["controls"]] == ["限额管理", "每日对账"]


def test_patch_residual_above_inherent_is_a_400(loan):
    risk = make_risk(loan)
    response = api(loan.owner).patch(f"{LIST}{risk.pk}/", {"residual_impact": 5}, format="json")
    assert response.status_code == 400 and "residual_impact" in response.json()


def test_patch_closes_with_a_reason_and_a_closed_risk_is_a_conflict(loan):
    risk = make_risk(loan)
    client = api(loan.owner)
    assert client.patch(f"{LIST}{risk.pk}/", {"status": "closed"}, format="json").status_code == 400
    response = client.patch(f"{LIST}{risk.pk}/", {"status": "closed", "closure_reason": "不再适用"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    again = client.patch(f"{LIST}{risk.pk}/", {"title": "x"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "risk_closed"


def test_patch_with_a_title_and_a_close_without_reason_is_a_400_that_changes_nothing(loan):
    risk = make_risk(loan)
    with assert_unchanged(Risk, RiskControl, RiskAssessment, AuditEntry):
        response = api(loan.owner).patch(f"{LIST}{risk.pk}/", {"title": "改名", "status": "closed"}, format="json")
    assert response.status_code == 400 and "closure_reason" in response.json()


def test_patch_with_a_title_and_a_close_with_reason_edits_and_closes_in_one_request(loan):
    risk = make_risk(loan)
    response = api(loan.owner).patch(f"{LIST}{risk.pk}/", {"title": "改名", "status": "closed",
                                                           "closure_reason": "不再适用"}, format="json")
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["status"]) == ("改名", "closed")
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True))[-2:] == [
        "risk_updated", "risk_closed"]


def test_patch_cannot_set_acceptance_status(loan):
    risk = make_risk(loan)
    response = api(loan.owner).patch(f"{LIST}{risk.pk}/", {"status": "accepted"}, format="json")
    assert response.status_code == 400 and "status" in response.json()


def test_no_delete_and_no_put(loan):
    risk = make_risk(loan)
    client = api(loan.owner)
    assert client.delete(f"{LIST}{risk.pk}/").status_code == 405
    assert client.put(f"{LIST}{risk.pk}/", payload(), format="json").status_code == 405


def high(loan):
    return make_risk(loan, likelihood=4, impact=4, residual_likelihood=3, residual_impact=4)


def test_accept_by_senior_management_returns_the_accepted_risk(loan, executive):
    risk = high(loan)
    response = api(executive).post(f"{LIST}{risk.pk}/accept/", {"comment": "同意"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert response.json()["accepted_by"] == executive.pk


@pytest.mark.parametrize("who", ["owner", "risk_officer", "executive_owner"])
def test_accept_by_others_is_a_403(loan, executive, risk_officer, who):
    risk = high(loan)
    if who == "executive_owner":
        Risk.objects.filter(pk=risk.pk).update(owner=executive)
    user = {"owner": loan.owner, "risk_officer": risk_officer, "executive_owner": executive}[who]
    response = api(user).post(f"{LIST}{risk.pk}/accept/", {"comment": "同意"}, format="json")
    assert response.status_code == 403
    assert Risk.objects.get(pk=risk.pk).status == "pending_acceptance"


def test_accepting_an_open_risk_is_a_409(loan, executive):
    response = api(executive).post(f"{LIST}{make_risk(loan).pk}/accept/", {"comment": "同意"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "risk_not_pending_acceptance"


def test_review_posts_a_new_assessment_kept_in_the_history(loan):
    risk = make_risk(loan)
    body = {"likelihood": 4, "impact": 3, "residual_likelihood": 2, "residual_impact": 3, "comment": "季度复核"}
    response = api(loan.owner).post(f"{LIST}{risk.pk}/reviews/", body, format="json")
    assert response.status_code == 201 and response.json()["inherent_score"] == 12
    history = api(loan.owner).get(f"{LIST}{risk.pk}/reviews/").json()
    assert [(h["kind"], h["residual_score"], h["comment"]) for h in history] == [("initial", 4, ""),
                                                                                 ("review", 6, "季度复核")]


def test_review_without_comment_is_a_400(loan):
    body = {"likelihood": 3, "impact": 3, "residual_likelihood": 2, "residual_impact": 2, "comment": ""}
    response = api(loan.owner).post(f"{LIST}{make_risk(loan).pk}/reviews/", body, format="json")
    assert response.status_code == 400 and "comment" in response.json()


@pytest.fixture
def register(loan, risk_officer):
    card = ProductFactory(code="CC-R", category="credit_card", owner=loan.owner)
    rows = {
        "credit": make_risk(loan, title="违约", category="credit", likelihood=3, impact=4, residual_likelihood=2,
                            residual_impact=3),
        "ops": make_risk(loan, title="操作", category="operational", owner=risk_officer),
        "card": make_risk(card, title="盗刷", category="operational", likelihood=5, impact=5, residual_likelihood=4,
                          residual_impact=4),
    }
    Risk.objects.filter(pk=rows["ops"].pk).update(review_due=timezone.localdate() - timedelta(days=2))
    return rows


@pytest.mark.parametrize(("query", "titles"), [
    ("product=LN-R", {"违约", "操作"}), ("category=credit", {"违约"}), ("level=high", {"违约"}),
    ("residual_level=critical", {"盗刷"}), ("status=pending_acceptance", {"盗刷"}), ("overdue=true", {"操作"}),
    ("overdue=false", {"违约", "盗刷"}), ("product=LN-R&category=operational", {"操作"}),
    ("impact=4", {"违约"}), ("residual_likelihood=4", {"盗刷"}),
])
def test_list_filters(loan, register, query, titles):
    body = api(loan.owner).get(f"{LIST}?{query}").json()
    assert {r["title"] for r in body["results"]} == titles


def test_list_filters_by_owner(loan, register, risk_officer):
    body = api(loan.owner).get(f"{LIST}?owner={risk_officer.pk}").json()
    assert [r["title"] for r in body["results"]] == ["操作"]


def test_product_register_lists_only_that_product(loan, register):
    body = api(loan.owner).get(product_url(loan)).json()
    assert {r["title"] for r in body["results"]} == {"违约", "操作"}


def test_heatmap_of_a_product_and_of_the_portfolio(loan, register):
    client = api(loan.owner)
    inherent = client.get(f"{LIST}heatmap/?product=LN-R&basis=inherent").json()
    assert inherent["basis"] == "inherent" and inherent["cells"][2][3] == 1 and sum(map(sum, inherent["cells"])) == 2
    residual = client.get(f"{LIST}heatmap/?basis=residual").json()
    assert residual["cells"][3][3] == 1 and sum(map(sum, residual["cells"])) == 3


def test_heatmap_basis_defaults_to_inherent_and_refuses_others(loan, register):
    client = api(loan.owner)
    assert client.get(f"{LIST}heatmap/").json()["basis"] == "inherent"
    response = client.get(f"{LIST}heatmap/?basis=sideways")
    assert response.status_code == 400 and "basis" in response.json()


def test_an_empty_heatmap_basis_is_refused(loan, register):
    response = api(loan.owner).get(f"{LIST}heatmap/?basis=")
    assert response.status_code == 400 and "basis" in response.json()


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_the_register(loan):
    client = api(loan.owner)
    make_risk(loan)
    few = count_queries(client, LIST)
    controls = [{"description": "a", "type": "preventive"}, {"description": "b", "type": "detective"}]
    for n in range(6):
        make_risk(ProductFactory(owner=loan.owner), title=f"风险{n}", controls=controls)
    assert count_queries(client, LIST) == few


def test_heatmap_query_count_does_not_grow_with_the_register(loan):
    client = api(loan.owner)
    make_risk(loan)
    few = count_queries(client, f"{LIST}heatmap/?basis=residual")
    for n in range(6):
        make_risk(loan, title=f"风险{n}", likelihood=1 + n % 5, impact=5, residual_likelihood=1, residual_impact=1)
    assert count_queries(client, f"{LIST}heatmap/?basis=residual") == few


def test_a_review_due_in_the_past_is_a_400_on_patch_and_review_and_changes_nothing(loan):
    risk = make_risk(loan)
    due = risk.review_due
    patch = api(loan.owner).patch(f"{LIST}{risk.pk}/", {"review_due": "2000-01-01"}, format="json")
    body = {"likelihood": 3, "impact": 3, "residual_likelihood": 2, "residual_impact": 2, "comment": "复核",
            "review_due": "2000-01-01"}
    review = api(loan.owner).post(f"{LIST}{risk.pk}/reviews/", body, format="json")
    risk = Risk.objects.get(pk=risk.pk)
    assert patch.status_code == 400 and "review_due" in patch.json()
    assert review.status_code == 400 and "review_due" in review.json()
    assert risk.review_due == due and risk.assessments.count() == 1
