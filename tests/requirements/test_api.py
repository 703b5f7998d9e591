"""The backlog REST API: CRUD, transitions (409/400), bulk create, versions, feedback, permissions, query counts."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from requirements.models import Feedback, Requirement
from tests.factories import (
    FeedbackFactory,
    ProductFactory,
    ProductVersionFactory,
    RequirementFactory,
)
from tests.helpers import api

pytestmark = pytest.mark.django_db
URL = "/api/v1/requirements/"


def payload(product, **overrides):
    return {"product": product.pk, "title": "信用卡分期手续费减免", "source": "market_research", "type": "feature",
            "priority": "P1", "reach": 4000, "impact": "2.00", "confidence": 50, "effort": "2.0",
            "tags": ["信用卡", "分期"], **overrides}


def test_product_manager_creates_requirement_with_computed_rice(pm):
    product = ProductFactory(owner=pm)
    response = api(pm).post(URL, payload(product), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "new"
    assert body["rice_score"] == "2000.00"
    assert sorted(body["tags"]) == ["信用卡", "分期"]
    assert Requirement.objects.get().created_by == pm


def test_rice_score_in_the_payload_is_refused_as_unknown(pm):
    product = ProductFactory(owner=pm)
    response = api(pm).post(URL, payload(product, rice_score="1"), format="json")
    assert response.status_code == 400
    assert "rice_score" in response.json()


def test_status_cannot_be_written_through_the_api(pm):
    requirement = RequirementFactory(product=ProductFactory(owner=pm))
    response = api(pm).patch(f"{URL}{requirement.pk}/", {"status": "delivered"}, format="json")
    assert response.status_code == 400
    assert Requirement.objects.get(pk=requirement.pk).status == "new"


@pytest.mark.parametrize(("who", "expected"), [
    ("owner", 201), ("other_pm", 403), ("head", 201), ("admin", 201), ("reviewer", 403), ("executive", 403),
])
def test_create_permission_matrix(who, expected, pm, other_pm, head, admin_user, reviewer, executive):
    users = {"owner": pm, "other_pm": other_pm, "head": head, "admin": admin_user, "reviewer": reviewer,
             "executive": executive}
    product = ProductFactory(owner=pm)
    response = api(users[who]).post(URL, payload(product), format="json")
    assert response.status_code == expected, response.content
    assert Requirement.objects.count() == (1 if expected == 201 else 0)


@pytest.mark.parametrize("who", ["reviewer", "executive", "other_pm"])
def test_every_role_reads_the_backlog(who, pm, other_pm, reviewer, executive):
    users = {"other_pm": other_pm, "reviewer": reviewer, "executive": executive}
    RequirementFactory(product=ProductFactory(owner=pm))
    response = api(users[who]).get(URL)
    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.parametrize(("who", "expected"), [("owner", 200), ("other_pm", 403), ("head", 200), ("reviewer", 403)])
def test_update_permission_matrix(who, expected, pm, other_pm, head, reviewer):
    users = {"owner": pm, "other_pm": other_pm, "head": head, "reviewer": reviewer}
    requirement = RequirementFactory(product=ProductFactory(owner=pm), priority="P3")
    response = api(users[who]).patch(f"{URL}{requirement.pk}/", {"priority": "P0"}, format="json")
    assert response.status_code == expected
    assert Requirement.objects.get(pk=requirement.pk).priority == ("P0" if expected == 200 else "P3")


def test_transition_endpoint_confirms(pm):
    requirement = RequirementFactory(product=ProductFactory(owner=pm), status="analysing")
    response = api(pm).post(f"{URL}{requirement.pk}/transitions/", {"transition": "confirm"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"


def test_refused_transition_answers_409_with_the_reason(pm):
    requirement = RequirementFactory(product=ProductFactory(owner=pm), status="new")
    response = api(pm).post(f"{URL}{requirement.pk}/transitions/", {"transition": "deliver"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert "新建" in response.json()["detail"]


def test_unknown_transition_name_answers_400(pm):
    requirement = RequirementFactory(product=ProductFactory(owner=pm))
    response = api(pm).post(f"{URL}{requirement.pk}/transitions/", {"transition": "teleport"}, format="json")
    assert response.status_code == 400
    assert "transition" in response.json()


def test_reject_without_reason_answers_400_naming_reason(pm):
    requirement = RequirementFactory(product=ProductFactory(owner=pm))
    response = api(pm).post(f"{URL}{requirement.pk}/transitions/", {"transition": "reject"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()


def test_reviewer_cannot_transition(pm, reviewer):
    requirement = RequirementFactory(product=ProductFactory(owner=pm))
    response = api(reviewer).post(f"{URL}{requirement.pk}/transitions/", {"transition": "analyse"},
                                         format="json")
    assert response.status_code == 403
    assert Requirement.objects.get(pk=requirement.pk).status == "new"


def test_bulk_create_creates_all_items(pm):
    product = ProductFactory(owner=pm)
    items = [payload(product, title=f"批量需求{i}") for i in range(30)]
    response = api(pm).post(f"{URL}bulk/", items, format="json")
    assert response.status_code == 201, response.content
    assert len(response.json()) == 30
    assert Requirement.objects.count() == 30
    assert Requirement.history.count() == 30


def test_the_schema_declares_the_bulk_answer_as_the_list_it_is_not_a_page(client):
    created = client.get("/api/schema/?format=json").json()["paths"]["/api/v1/requirements/bulk/"]["post"]
    schema = created["responses"]["201"]["content"]["application/json"]["schema"]
    assert schema == {"type": "array", "items": {"$ref": "#/components/schemas/Requirement"}}


def test_bulk_create_with_one_bad_item_creates_nothing_and_names_the_index(pm):
    product = ProductFactory(owner=pm)
    items = [payload(product, title=f"批量需求{i}") for i in range(5)]
    items[3]["priority"] = "P9"
    response = api(pm).post(f"{URL}bulk/", items, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["index"], list(e["errors"])) for e in errors] == [(3, ["priority"])]
    assert "P9" in errors[0]["errors"]["priority"][0]
    assert not Requirement.objects.exists()


def test_bulk_create_for_a_product_of_someone_else_reports_the_index(pm, other_pm):
    mine, theirs = ProductFactory(owner=pm), ProductFactory(owner=other_pm)
    response = api(pm).post(f"{URL}bulk/", [payload(mine), payload(theirs)], format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["index"] == 1
    assert "product" in response.json()["errors"][0]["errors"]
    assert not Requirement.objects.exists()


def test_bulk_create_over_1000_items_is_refused(pm):
    product = ProductFactory(owner=pm)
    response = api(pm).post(f"{URL}bulk/", [payload(product)] * 1001, format="json")
    assert response.status_code == 400
    assert not Requirement.objects.exists()


def test_list_filters_by_status_and_sorts_by_rice(pm):
    product = ProductFactory(owner=pm)
    low = RequirementFactory(product=product, reach=10)
    high = RequirementFactory(product=product, reach=10_000)
    RequirementFactory(product=product, status="delivered")
    response = api(pm).get(URL, {"status": "new", "ordering": "-rice_score"})
    assert [r["id"] for r in response.json()["results"]] == [high.pk, low.pk]


def test_list_query_count_does_not_grow_with_rows(pm, django_assert_max_num_queries):
    product = ProductFactory(owner=pm)
    version = ProductVersionFactory(product=product)
    client = api(pm)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx)

    RequirementFactory(product=product, target_version=version, assignee=pm)
    few = count()
    for _ in range(30):
        r = RequirementFactory(product=product, target_version=version, assignee=pm)
        FeedbackFactory(product=product, requirement=r)
        r.tags.create(name=f"t{r.pk}")
    assert count() == few


def test_version_crud_and_release(pm):
    product = ProductFactory(owner=pm)
    client = api(pm)
    response = client.post("/api/v1/versions/", {"product": product.pk, "name": "v3.0", "planned_date": "2027-03-01"},
                           format="json")
    assert response.status_code == 201, response.content
    vid = response.json()["id"]
    duplicate = client.post("/api/v1/versions/", {"product": product.pk, "name": "v3.0",
                                                  "planned_date": "2027-03-01"}, format="json")
    # A name the product's versions already have: a conflict with them, 409 with its code (it was a 400).
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "version_name_taken"
    released = client.post(f"/api/v1/versions/{vid}/release/")
    assert released.json()["status"] == "released"
    assert client.post(f"/api/v1/versions/{vid}/release/").status_code == 409


def test_feedback_convert_endpoint_creates_requirement_linked_both_ways(pm):
    product = ProductFactory(owner=pm)
    items = FeedbackFactory.create_batch(2, product=product)
    response = api(pm).post("/api/v1/feedback/convert/",
                                   {"feedback": [f.pk for f in items], "title": "提升转账限额"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["feedback_count"] == 2
    assert set(Feedback.objects.values_list("requirement_id", flat=True)) == {response.json()["id"]}


def test_feedback_convert_unknown_ids_answers_400(pm):
    response = api(pm).post("/api/v1/feedback/convert/", {"feedback": [999999], "title": "x"}, format="json")
    assert response.status_code == 400
    assert "feedback" in response.json()


def test_feedback_convert_of_converted_feedback_answers_409_with_its_code(pm):
    product = ProductFactory(owner=pm)
    feedback = FeedbackFactory(product=product, requirement=RequirementFactory(product=product))
    response = api(pm).post("/api/v1/feedback/convert/", {"feedback": [feedback.pk], "title": "x"}, format="json")
    assert response.status_code == 409
    assert response.json() == {"code": "feedback_converted", "detail": f"反馈 {feedback.pk} 已转化为需求。"}


def test_reviewer_cannot_record_feedback(pm, reviewer):
    product = ProductFactory(owner=pm)
    response = api(reviewer).post("/api/v1/feedback/", {
        "product": product.pk, "channel": "hotline", "text": "很好", "received_on": "2026-11-01"}, format="json")
    assert response.status_code == 403


def test_converted_feedback_cannot_be_deleted(pm):
    product = ProductFactory(owner=pm)
    feedback = FeedbackFactory(product=product, requirement=RequirementFactory(product=product))
    response = api(pm).delete(f"/api/v1/feedback/{feedback.pk}/")
    assert response.status_code == 409
    assert Feedback.objects.filter(pk=feedback.pk).exists()


def test_create_through_the_api_takes_few_queries(pm):
    product = ProductFactory(owner=pm)
    client = api(pm)
    client.post(URL, payload(product, title="预热"), format="json")  # the tags exist from now on
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(URL, payload(product), format="json")
    assert response.status_code == 201
    assert len(ctx) < 15


def test_bulk_create_query_count_does_not_grow_with_items(pm):
    product = ProductFactory(owner=pm)
    client = api(pm)

    def count(n):
        with CaptureQueriesContext(connection) as ctx:
            assert client.post(f"{URL}bulk/", [payload(product) for _ in range(n)], format="json").status_code == 201
        return len(ctx)

    count(1)  # creates the tags once
    assert count(2) == count(40)


@pytest.mark.parametrize(("who", "expected"), [
    ("owner", 201), ("other_pm", 403), ("head", 201), ("admin", 201), ("reviewer", 403), ("executive", 403),
])
def test_version_and_feedback_create_permission_matrix(who, expected, pm, other_pm, head, admin_user, reviewer,
                                                       executive):
    users = {"owner": pm, "other_pm": other_pm, "head": head, "admin": admin_user, "reviewer": reviewer,
             "executive": executive}
    product = ProductFactory(owner=pm)
    client = api(users[who])
    version = client.post("/api/v1/versions/", {"product": product.pk, "name": "v9", "planned_date": "2027-01-01"},
                          format="json")
    feedback = client.post("/api/v1/feedback/", {"product": product.pk, "channel": "online", "text": "好",
                                                 "received_on": "2026-11-01"}, format="json")
    assert (version.status_code, feedback.status_code) == (expected, expected)


@pytest.mark.parametrize("who", ["reviewer", "executive"])
def test_readers_see_versions_and_feedback(who, pm, reviewer, executive):
    product = ProductFactory(owner=pm)
    ProductVersionFactory(product=product)
    FeedbackFactory(product=product)
    client = api({"reviewer": reviewer, "executive": executive}[who])
    assert client.get("/api/v1/versions/").json()["count"] == 1
    assert client.get("/api/v1/feedback/").json()["count"] == 1


@pytest.mark.parametrize("impact", [2, 2.0, "2.00"])
def test_impact_is_accepted_as_the_number_the_schema_declares_and_answered_as_that_number(pm, impact):
    product = ProductFactory(owner=pm)
    response = api(pm).post(URL, payload(product, impact=impact), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["impact"] == 2.0


def test_an_impact_off_the_scale_is_refused(pm):
    response = api(pm).post(URL, payload(ProductFactory(owner=pm), impact=1.5), format="json")
    assert response.status_code == 400 and "impact" in response.json()


def test_the_schema_declares_impact_as_a_string_enum_in_requests_and_a_number_in_answers(pm):
    schema = api(pm).get("/api/schema/?format=json").json()["components"]["schemas"]
    assert schema["ImpactEnum"]["type"] == "string"
    assert schema["ImpactEnum"]["enum"] == ["3", "2", "1", "0.5", "0.25"]
    impact = schema["RequirementRequest"]["properties"]["impact"]
    assert impact["allOf"] == [{"$ref": "#/components/schemas/ImpactEnum"}]
    assert schema["Requirement"]["properties"]["impact"]["type"] == "number"


@pytest.mark.parametrize("impact", ["3", "0.5", "0.25"])
def test_every_spelling_of_the_string_enum_is_accepted(pm, impact):
    response = api(pm).post(URL, payload(ProductFactory(owner=pm), impact=impact), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["impact"] == float(impact)


def test_list_rows_are_what_drf_would_write_field_for_field(pm):
    from datetime import date

    from django.test import RequestFactory
    from django.utils import timezone
    from rest_framework.request import Request
    from rest_framework.serializers import ModelSerializer

    from requirements import selectors
    from requirements.api.serializers import RequirementSerializer

    product = ProductFactory(owner=pm)
    version = ProductVersionFactory(product=product)
    full = RequirementFactory(product=product, target_version=version, status="delivered", assignee=pm,
                              due_date=date(2027, 3, 1), effort="12.5", delivered_at=timezone.now())
    full.tags.create(name="乙")
    full.tags.create(name="甲")
    FeedbackFactory(product=product, requirement=full)
    RequirementFactory(product=product)
    rows = list(selectors.requirement_backlog().order_by("id"))
    serializer = RequirementSerializer(rows, many=True, context={"request": Request(RequestFactory().get(URL))})
    assert serializer.data == [ModelSerializer.to_representation(serializer.child, row) for row in rows]
    assert serializer.data[0]["tags"] == sorted(["乙", "甲"])


def test_list_answers_the_same_rows_as_the_detail_endpoint(pm):
    product = ProductFactory(owner=pm)
    requirement = RequirementFactory(product=product, assignee=pm)
    requirement.tags.create(name="手机银行")
    FeedbackFactory(product=product, requirement=requirement)
    client = api(pm)
    listed = client.get(URL).json()["results"][0]
    assert listed == client.get(f"{URL}{requirement.pk}/").json()
    assert listed["tags"] == ["手机银行"] and listed["feedback_count"] == 1 and listed["product_code"] == product.code


def test_releasing_with_unfinished_scope_is_a_409_naming_the_choice(pm):
    """Whether unfinished requirements are left is the version's state: 409 `unfinished_scope` (it was a 400)."""
    from tests.factories import ProductVersionFactory, RequirementFactory

    version = ProductVersionFactory(product=ProductFactory(owner=pm))
    RequirementFactory(product=version.product, target_version=version, status="scheduled")
    client = api(pm)
    refused = client.post(f"/api/v1/versions/{version.pk}/release/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "unfinished_scope"
    released = client.post(f"/api/v1/versions/{version.pk}/release/", {"unfinished": "backlog"}, format="json")
    assert released.status_code == 200 and released.json()["status"] == "released"


# --- refusals that depend on the rows, not on the body: 409 with a code (issue 14, point 7) ---------------------

def test_moving_a_requirement_to_another_product_is_a_409(pm):
    requirement = RequirementFactory(product=ProductFactory(owner=pm))
    other = ProductFactory(owner=pm)
    response = api(pm).patch(f"{URL}{requirement.pk}/", {"product": other.pk}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "product_fixed"
    requirement.refresh_from_db()
    assert requirement.product_id != other.pk


def test_moving_a_version_or_feedback_to_another_product_is_a_409(pm):
    version = ProductVersionFactory(product=ProductFactory(owner=pm))
    feedback = FeedbackFactory(product=version.product)
    other = ProductFactory(owner=pm)
    client = api(pm)
    for url in (f"/api/v1/versions/{version.pk}/", f"/api/v1/feedback/{feedback.pk}/"):
        response = client.patch(url, {"product": other.pk}, format="json")
        assert response.status_code == 409 and response.json()["code"] == "product_fixed", url


def test_moving_converted_feedback_to_another_product_is_the_same_409_not_a_check_on_its_requirement(pm):
    item = FeedbackFactory(product=ProductFactory(owner=pm))
    api(pm).post("/api/v1/feedback/convert/", {"feedback": [item.pk], "title": "合并"}, format="json")
    other = ProductFactory(owner=pm)
    response = api(pm).put(f"/api/v1/feedback/{item.pk}/", {"product": other.pk, "channel": "branch",
                                                             "received_on": "2026-01-05", "text": "再议"},
                           format="json")
    assert response.status_code == 409 and response.json()["code"] == "product_fixed"


def test_a_version_planned_in_the_past_is_a_409_and_a_cancelled_products_too(pm):
    client = api(pm)
    product = ProductFactory(owner=pm)
    past = client.post("/api/v1/versions/", {"product": product.pk, "name": "v0", "planned_date": "2020-01-01"},
                       format="json")
    assert past.status_code == 409 and past.json()["code"] == "planned_in_past"
    cancelled = ProductFactory(owner=pm, stage="cancelled")
    closed = client.post("/api/v1/versions/", {"product": cancelled.pk, "name": "v9", "planned_date": "2099-01-01"},
                         format="json")
    assert closed.status_code == 409 and closed.json()["code"] == "product_closed"


def test_a_partial_version_update_answers_with_the_scope_counts(pm):
    version = ProductVersionFactory(product=ProductFactory(owner=pm))
    RequirementFactory(product=version.product, target_version=version)
    body = api(pm).patch(f"/api/v1/versions/{version.pk}/", {}, format="json").json()
    assert (body["total"], body["delivered"]) == (1, 0)


def test_releasing_into_a_version_of_another_product_is_a_409(pm):
    version = ProductVersionFactory(product=ProductFactory(owner=pm))
    RequirementFactory(product=version.product, target_version=version, status="scheduled")
    other = ProductVersionFactory(product=ProductFactory(owner=pm))
    response = api(pm).post(f"/api/v1/versions/{version.pk}/release/", {"unfinished": "move", "move_to": other.pk},
                            format="json")
    assert response.status_code == 409 and response.json()["code"] == "wrong_version"


def test_converting_feedback_of_two_products_is_a_409(pm):
    a = FeedbackFactory(product=ProductFactory(owner=pm))
    b = FeedbackFactory(product=ProductFactory(owner=pm))
    response = api(pm).post("/api/v1/feedback/convert/", {"feedback": [a.pk, b.pk], "title": "合并"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "wrong_product"
    assert not Requirement.objects.exists()


@pytest.mark.parametrize("title", ["gpj.exe\u202e卡", "\x1b[31m红色\x1b[0m"])
def test_a_converted_title_or_a_tag_with_control_characters_is_a_400_on_the_field(pm, title):
    """The schema's single-line text: the conversion's title and the tags are checked where they are read."""
    item = FeedbackFactory(product=ProductFactory(owner=pm))
    client = api(pm)
    converted = client.post("/api/v1/feedback/convert/", {"feedback": [item.pk], "title": title}, format="json")
    assert converted.status_code == 400 and "title" in converted.json()
    tagged = client.post(URL, payload(item.product, tags=[title]), format="json")
    assert tagged.status_code == 400 and "tags" in tagged.json()
    assert not Requirement.objects.exists()


@pytest.mark.parametrize("kind", ["requirements", "versions", "feedback"])
def test_a_put_without_the_product_is_a_400_and_a_patch_without_it_is_taken(pm, kind):
    product = ProductFactory(owner=pm)
    row, body = {
        "requirements": (lambda: RequirementFactory(product=product), {"title": "新标题", "source": "internal"}),
        "versions": (lambda: ProductVersionFactory(product=product), {"name": "v9", "planned_date": "2099-01-01"}),
        "feedback": (lambda: FeedbackFactory(product=product),
                     {"channel": "branch", "received_on": "2026-01-05", "text": "再议"}),
    }[kind]
    item = row()
    put = api(pm).put(f"/api/v1/{kind}/{item.pk}/", body, format="json")
    assert put.status_code == 400 and "product" in put.json()
    assert api(pm).patch(f"/api/v1/{kind}/{item.pk}/", body, format="json").status_code == 200
