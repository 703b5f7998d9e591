import pytest

from approvals import services as approval_services
from approvals.models import GateReview
from core.models import AuditEntry
from lifecycle import services
from lifecycle.models import Deliverable
from tests.factories import ProductFactory, UserFactory, advance_to, complete_deliverables
from tests.helpers import api, queries

pytestmark = pytest.mark.django_db


def reviews_url(product):
    return f"/api/v1/products/{product.pk}/gate-reviews/"


def decide(user, review, department, decision="approve", comment="同意"):
    return api(user).post(f"/api/v1/gate-reviews/{review.pk}/decisions/",
                          {"department": department, "decision": decision, "comment": comment}, format="json")


def test_product_detail_includes_stage(product, owner):
    assert api(owner).get(f"/api/v1/products/{product.pk}/").json()["stage"] == "planning"


def test_submit_with_empty_body_opens_next_stage_review(product, owner, reviewers):
    complete_deliverables(product)
    response = api(owner).post(reviews_url(product), {}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("product", "from_stage", "to_stage", "status")} == {
        "product": product.pk, "from_stage": "planning", "to_stage": "development", "status": "pending"}
    assert set(body["steps"][0]) >= {"department", "status", "due_date", "decided_by", "decision", "comment"}
    assert [s["department"] for s in body["steps"]] == ["risk", "compliance", "senior_management"]


def test_submit_with_missing_deliverables_is_400_listing_them(product, owner):
    response = api(owner).post(reviews_url(product), {}, format="json")
    assert response.status_code == 400
    assert len(response.json()["deliverables"]) == 2
    assert "市场调研报告" in response.json()["deliverables"][0]


def test_submit_while_a_review_is_open_is_409(submitted, owner):
    response = api(owner).post(reviews_url(submitted.product), {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "review_already_open"
    assert GateReview.objects.filter(product=submitted.product).count() == 2  # the planning gate and this one


def test_submit_cancellation_where_allowed(product, owner):
    response = api(owner).post(reviews_url(product), {"to_stage": "cancelled"}, format="json")
    assert response.status_code == 201
    assert response.json()["to_stage"] == "cancelled"


def test_submit_retirement_from_planning_is_400(product, owner):
    response = api(owner).post(reviews_url(product), {"to_stage": "retirement"}, format="json")
    assert response.status_code == 400
    assert "to_stage" in response.json()


def test_submit_unknown_field_is_400(product, owner):
    assert api(owner).post(reviews_url(product), {"stage": "x"}, format="json").status_code == 400


@pytest.mark.parametrize("who, expected", [("owner", 201), ("head", 201), ("other_pm", 403), ("reviewer", 403),
                                           ("admin", 403)])
def test_who_may_submit_a_gate(who, expected, product, owner, head, other_pm, reviewer, admin_user):
    complete_deliverables(product)
    users = {"owner": owner, "head": head, "other_pm": other_pm, "reviewer": reviewer, "admin": admin_user}
    assert api(users[who]).post(reviews_url(product), {}, format="json").status_code == expected


def test_decision_is_201_and_recorded(submitted, reviewers):
    response = decide(reviewers["risk"], submitted, "risk")
    assert response.status_code == 201
    step = next(s for s in response.json()["steps"] if s["department"] == "risk")
    assert step["status"] == "approved" and step["decided_by"] == reviewers["risk"].pk and step["comment"] == "同意"


def test_owner_deciding_is_403(submitted, owner):
    owner.departments.add(*__import__("accounts.models", fromlist=["Department"]).Department.objects.filter(
        code="risk"))
    assert decide(owner, submitted, "risk").status_code == 403
    assert submitted.steps.get(department="risk").status == "pending"


def test_admin_who_owns_the_product_deciding_is_403(reviewers):
    admin_owner = UserFactory(username="adm_own", role="administrator", is_superuser=True, departments=["compliance"])
    product = ProductFactory(owner=admin_owner)
    complete_deliverables(product)
    review = services.gate_review_submit(product=product, user=admin_owner)
    response = decide(admin_owner, review, "compliance")
    assert response.status_code == 403
    assert "四眼" in response.json()["detail"]


def test_wrong_department_is_403(submitted, reviewers):
    assert decide(reviewers["legal"], submitted, "risk").status_code == 403


def test_deciding_twice_is_409(submitted, reviewers):
    decide(reviewers["risk"], submitted, "risk")
    response = decide(reviewers["risk"], submitted, "risk")
    assert response.status_code == 409 and response.json()["code"] == "step_already_decided"


def test_senior_management_before_the_others_is_409(submitted, reviewers):
    response = decide(reviewers["senior_management"], submitted, "senior_management")
    assert response.status_code == 409 and response.json()["code"] == "step_not_open"


def test_decision_on_closed_review_is_409(submitted, reviewers):
    decide(reviewers["risk"], submitted, "risk", "reject", "不同意")
    response = decide(reviewers["finance"], submitted, "finance")
    assert response.status_code == 409 and response.json()["code"] == "review_closed"


def test_rejection_without_comment_is_400(submitted, reviewers):
    response = decide(reviewers["risk"], submitted, "risk", "reject", "")
    assert response.status_code == 400 and "comment" in response.json()


def test_department_without_a_step_is_400(submitted, reviewers):
    assert decide(reviewers["legal"], submitted, "legal").status_code == 400


def test_last_approval_moves_the_product(submitted, reviewers):
    for department in ("risk", "compliance", "finance", "technology", "senior_management"):
        assert decide(reviewers[department], submitted, department).status_code == 201
    assert api(reviewers["risk"]).get(f"/api/v1/products/{submitted.product_id}/").json()["stage"] == "marketing"
    assert api(reviewers["risk"]).get(f"/api/v1/gate-reviews/{submitted.pk}/").json()["status"] == "approved"


def test_gate_review_list_filters_by_status_department_and_product(submitted, reviewers, owner):
    other = ProductFactory(owner=owner)
    complete_deliverables(other)
    services.gate_review_submit(product=other, user=owner)
    client = api(reviewers["risk"])
    rows = client.get("/api/v1/gate-reviews/?status=pending&department=technology").json()["results"]
    assert [r["id"] for r in rows] == [submitted.pk]
    rows = client.get(f"/api/v1/gate-reviews/?status=pending&product={other.pk}").json()["results"]
    assert len(rows) == 1 and rows[0]["product"] == other.pk


def test_deliverables_of_current_stage_are_listed(product, owner):
    services.deliverables_ensure(product=product)  # the factory bypasses product_create, which starts the checklist
    rows = api(owner).get(f"/api/v1/products/{product.pk}/deliverables/").json()["results"]
    assert [r["title"] for r in rows] == ["市场调研报告", "产品策略与目标"]
    assert {r["status"] for r in rows} == {"open"}


def test_patch_deliverable_done_and_waived_with_reason(product, owner):
    services.deliverables_ensure(product=product)
    first, second = Deliverable.objects.filter(product=product).order_by("id")
    Deliverable.objects.filter(pk=second.pk).update(required=False)  # a required item's waiver asks first
    response = api(owner).patch(f"/api/v1/deliverables/{first.pk}/", {"status": "done"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "done"
    response = api(owner).patch(f"/api/v1/deliverables/{second.pk}/", {"status": "waived", "reason": "沿用"},
                                format="json")
    assert response.status_code == 200 and response.json()["reason"] == "沿用"
    assert api(owner).get(f"/api/v1/deliverables/{second.pk}/").json()["status"] == "waived"


def test_patch_waiver_without_reason_is_400_and_changes_nothing(product, owner):
    services.deliverables_ensure(product=product)
    item = Deliverable.objects.filter(product=product).first()
    response = api(owner).patch(f"/api/v1/deliverables/{item.pk}/", {"status": "waived"}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    item.refresh_from_db()
    assert item.status == "open"


def test_patch_deliverable_by_other_product_manager_is_403(product, other_pm):
    services.deliverables_ensure(product=product)
    item = Deliverable.objects.filter(product=product).first()
    assert api(other_pm).patch(f"/api/v1/deliverables/{item.pk}/", {"status": "done"},
                               format="json").status_code == 403


def test_history_lists_entries_and_cannot_be_changed(submitted, owner):
    url = f"/api/v1/products/{submitted.product_id}/history/"
    rows = api(owner).get(url).json()["results"]
    assert rows[0]["action"] == "step_opened" and rows[0]["entry_hash"]
    count = AuditEntry.objects.count()
    for method in ("post", "put", "patch", "delete"):
        assert getattr(api(owner), method)(url, {}, format="json").status_code == 405
    assert AuditEntry.objects.count() == count


def test_gate_review_list_query_count_is_constant(owner, reviewers):
    def make(n):
        for _ in range(n):
            p = ProductFactory(owner=owner)
            complete_deliverables(p)
            services.gate_review_submit(product=p, user=owner)
    make(1)
    few = queries(api(reviewers["risk"]), "/api/v1/gate-reviews/")
    make(6)
    assert queries(api(reviewers["risk"]), "/api/v1/gate-reviews/") == few


def test_deliverable_and_history_lists_query_count_is_constant(product, owner, reviewers):
    client = api(owner)
    services.deliverables_ensure(product=product)
    services.deliverable_update(user=owner, deliverable=product.deliverables.first(), status="done")
    client.get(f"/api/v1/products/{product.pk}/history/")  # the reader's departments are read once per user
    few = (queries(client, f"/api/v1/products/{product.pk}/deliverables/"),
           queries(client, f"/api/v1/products/{product.pk}/history/"))
    advance_to(product, "operation", reviewers)
    client.get(f"/api/v1/products/{product.pk}/deliverables/")
    many = (queries(client, f"/api/v1/products/{product.pk}/deliverables/"),
            queries(client, f"/api/v1/products/{product.pk}/history/"))
    assert many == few


def test_product_gate_review_list_query_count_is_constant(product, owner, reviewers):
    client = api(owner)
    url = f"/api/v1/products/{product.pk}/gate-reviews/"
    complete_deliverables(product)
    services.gate_review_submit(product=product, user=owner)
    few = queries(client, url)
    for _ in range(3):  # rejected reviews followed by resubmissions
        review = GateReview.objects.get(product=product, status="pending")
        approval_services.approval_step_decide(review=review, department="risk", user=reviewers["risk"],
                                               decision="reject",
                                      comment="补充材料")
        services.gate_review_submit(product=product, user=owner)
    assert GateReview.objects.filter(product=product).count() == 4
    assert queries(client, url) == few


@pytest.mark.parametrize("suffix", ["deliverables", "gate-reviews", "history"])
def test_unknown_product_is_404(suffix, owner):
    assert api(owner).get(f"/api/v1/products/999999/{suffix}/").status_code == 404


def test_unknown_department_code_is_400_naming_the_field(submitted, reviewers):
    response = decide(reviewers["risk"], submitted, "marketing")
    assert response.status_code == 400 and "department" in response.json()


def test_decision_permission_matrix(submitted, owner, reviewers, admin_user, head):
    head.departments.add(*head.departments.model.objects.filter(code="risk"))
    admin_user.departments.add(*admin_user.departments.model.objects.filter(code="finance"))
    owner.departments.add(*owner.departments.model.objects.filter(code="technology"))
    attempts = [(owner, "technology"), (head, "compliance"), (reviewers["legal"], "risk"), (admin_user, "finance"),
                (head, "risk"), (reviewers["compliance"], "compliance")]
    results = [decide(user, submitted, department).status_code for user, department in attempts]
    assert results == [403, 403, 403, 201, 201, 201]


def test_history_filters_like_the_page_and_bad_dates_are_400(submitted, owner, reviewers):
    url = f"/api/v1/products/{submitted.product_id}/history/"
    rows = api(owner).get(url, {"action": "review_submitted"}).json()["results"]
    assert len(rows) == 2 and {r["action"] for r in rows} == {"review_submitted"}  # planning and development gates
    assert all(r["actor_username"] == "owner_pm" for r in api(owner).get(url, {"actor": "owner_pm"}).json()["results"])
    response = api(owner).get(url, {"since": "not-a-date"})
    assert response.status_code == 400 and "since" in response.json()


def test_product_department_is_not_a_reviewing_department(submitted, reviewers):
    response = decide(reviewers["risk"], submitted, "product")
    assert response.status_code == 400 and "department" in response.json()


@pytest.mark.parametrize("who, expected", [("owner", 200), ("other_pm", 403), ("legal", 403), ("risk", 200),
                                           ("admin", 200)])
def test_history_is_read_by_the_audit_trails_rule(who, expected, submitted, owner, other_pm, reviewers, admin_user):
    users = {"owner": owner, "other_pm": other_pm, "admin": admin_user, **reviewers}
    url = f"/api/v1/products/{submitted.product_id}/history/"
    response = api(users[who]).get(url)
    assert response.status_code == expected
    trail = api(users[who]).get("/api/v1/audit/", {"product": submitted.product_id})
    seen_in_trail = trail.status_code == 200 and trail.json()["count"] > 0
    assert seen_in_trail == (expected == 200)


def test_a_waiver_reason_that_is_not_text_is_a_400_and_changes_nothing(product, owner):
    services.deliverables_ensure(product=product)
    item = Deliverable.objects.filter(product=product).first()
    response = api(owner).patch(f"/api/v1/deliverables/{item.pk}/", {"status": "waived", "reason": 0}, format="json")
    item.refresh_from_db()
    assert response.status_code == 400 and "reason" in response.json() and item.status == "open"
