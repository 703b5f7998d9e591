import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from changes import services
from changes.models import Change, TermsVersion
from lifecycle import services as lifecycle_services
from tests.factories import ProductFactory, complete_deliverables, observe_in_pilot
from tests.helpers import api

from .conftest import approve_all, approved_change, change_data

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def body(**overrides):
    data = {"summary": "年费下调", "reason": "competitor", "terms": {"fee": "80"}, "requirements": [], "pilot": False}
    data.update(overrides)
    return data


def pilot_body(**overrides):
    data = {"regions": ["上海"], "segments": ["youth"], "channels": ["mobile_banking"],
            "start": (TODAY - dt.timedelta(days=5)).isoformat(), "end": (TODAY + dt.timedelta(days=20)).isoformat(),
            "criteria": [{"metric": "csat", "op": ">=", "value": 80}]}
    data.update(overrides)
    return data


@pytest.fixture
def piloting(launched, reviewers):
    change = approved_change(launched, reviewers, pilot=True)
    response = api(launched.owner).post(f"/api/v1/changes/{change.pk}/pilot/", pilot_body(), format="json")
    assert response.status_code == 200, response.content
    return change


# --- The freeze on the API -------------------------------------------------------------------------------------------

def test_patch_of_a_term_after_launch_is_409_terms_frozen(launched):
    response = api(launched.owner).patch(f"/api/v1/products/{launched.pk}/", {"fee": "1"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "terms_frozen"
    assert response.json()["detail"]


def test_patch_of_other_fields_after_launch_is_accepted(launched):
    response = api(launched.owner).patch(f"/api/v1/products/{launched.pk}/", {"name": "新名字"}, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == "新名字"


def test_patch_of_a_term_while_a_review_is_pending_is_409_review_pending(owner):
    product = ProductFactory(owner=owner)
    complete_deliverables(product)
    lifecycle_services.gate_review_submit(product=product, user=owner)
    response = api(owner).patch(f"/api/v1/products/{product.pk}/", {"features": ["新特色"]}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "review_pending"


def test_features_and_markets_are_terms_in_the_product_api(owner):
    product = ProductFactory(owner=owner)
    response = api(owner).patch(f"/api/v1/products/{product.pk}/", {
        "features": ["返现 5%"], "target_market": "年轻白领", "excluded_market": "未成年人"}, format="json")
    assert response.status_code == 200
    assert (response.json()["features"], response.json()["excluded_market"]) == (["返现 5%"], "未成年人")


# --- Terms versions -------------------------------------------------------------------------------------------------

def test_terms_lists_versions_with_status(launched, reviewers):
    approved_change(launched, reviewers, effective_from=TODAY + dt.timedelta(days=2))
    response = api(launched.owner).get(f"/api/v1/products/{launched.pk}/terms/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["version"], r["status"]) for r in rows] == [(2, "scheduled"), (1, "active")]
    assert rows[0]["terms"]["fee"] == "80"
    assert rows[0]["review"] == Change.objects.get().review_id
    assert rows[1]["effective_to"] == (TODAY + dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(("offset", "expected"), [(-1, []), (0, [1]), (4, [1]), (5, [2]), (30, [2])])
def test_terms_at_a_day_returns_the_version_in_force_on_version_boundaries(launched, offset, expected):
    TermsVersion.objects.filter(product=launched).update(effective_from=TODAY, effective_to=TODAY +
                                                         dt.timedelta(days=4))
    TermsVersion.objects.create(product=launched, version=2, effective_from=TODAY + dt.timedelta(days=5),
                                terms={"fee": "80"})
    day = (TODAY + dt.timedelta(days=offset)).isoformat()
    response = api(launched.owner).get(f"/api/v1/products/{launched.pk}/terms/?at={day}")
    assert [r["version"] for r in response.json()["results"]] == expected


@pytest.mark.parametrize("at", ["2026-13-01", "tomorrow", "2026-02-30"])
def test_terms_at_an_invalid_day_is_400_naming_at(launched, at):
    response = api(launched.owner).get(f"/api/v1/products/{launched.pk}/terms/?at={at}")
    assert response.status_code == 400
    assert "at" in response.json()


# --- Change requests -------------------------------------------------------------------------------------------------

def test_post_change_returns_201_draft_with_the_diff(launched):
    response = api(launched.owner).post(f"/api/v1/products/{launched.pk}/changes/", body(), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert {k: data[k] for k in ("product", "status", "summary", "reason", "terms", "diff", "pilot", "review")} == {
        "product": launched.pk, "status": "draft", "summary": "年费下调", "reason": "competitor",
        "terms": {"fee": "80"}, "diff": [{"field": "fee", "old": "100", "new": "80"}], "pilot": False,
        "review": None}


@pytest.mark.parametrize(("overrides", "field"), [
    ({"terms": {"fee": "100"}}, "terms"),
    ({"terms": {"colour": "red"}}, "terms"),
    ({"terms": {"fee": "-5"}}, "terms"),
    ({"reason": "boredom"}, "reason"),
    ({"requirements": [999999]}, "requirements"),
])
def test_invalid_change_is_400_naming_the_field_and_creates_nothing(launched, overrides, field):
    response = api(launched.owner).post(f"/api/v1/products/{launched.pk}/changes/", body(**overrides),
                                               format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Change.objects.exists()


def test_unknown_and_invalid_term_fields_are_named_inside_terms(launched):
    response = api(launched.owner).post(f"/api/v1/products/{launched.pk}/changes/",
                                               body(terms={"colour": "red", "fee": "-5"}), format="json")
    assert set(response.json()["terms"]) == {"colour", "fee"}


def test_change_before_launch_is_409_terms_not_frozen(owner):
    product = ProductFactory(owner=owner)
    response = api(owner).post(f"/api/v1/products/{product.pk}/changes/", body(), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "terms_not_frozen"


def test_change_while_another_is_open_is_409_change_open(launched):
    api(launched.owner).post(f"/api/v1/products/{launched.pk}/changes/", body(), format="json")
    response = api(launched.owner).post(f"/api/v1/products/{launched.pk}/changes/", body(), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "change_open"


@pytest.mark.parametrize("role", ["reviewer", "senior_management"])
def test_only_product_editors_create_changes(launched, make_user, role):
    response = api(make_user(role=role)).post(f"/api/v1/products/{launched.pk}/changes/", body(),
                                                     format="json")
    assert response.status_code == 403


def test_other_product_manager_cannot_create_a_change(launched, other_pm):
    response = api(other_pm).post(f"/api/v1/products/{launched.pk}/changes/", body(), format="json")
    assert response.status_code == 403


def test_submit_returns_201_with_the_review(launched):
    change = services.change_create(user=launched.owner, product=launched, data=change_data())
    response = api(launched.owner).post(f"/api/v1/changes/{change.pk}/submit/", format="json")
    assert response.status_code == 201
    assert response.json()["review"] == Change.objects.get().review_id
    assert response.json()["status"] == "submitted"
    review = api(launched.owner).get(f"/api/v1/gate-reviews/{response.json()['review']}/").json()
    assert review["process"] == "change"
    assert review["snapshot"]["diff"] == [{"field": "fee", "old": "100", "new": "80"}]


def test_patch_edits_a_draft(launched):
    change = services.change_create(user=launched.owner, product=launched, data=change_data())
    response = api(launched.owner).patch(f"/api/v1/changes/{change.pk}/", {"terms": {"fee": "50"}},
                                                format="json")
    assert response.status_code == 200
    assert response.json()["diff"] == [{"field": "fee", "old": "100", "new": "50"}]


def test_changes_are_filtered_by_product_and_status(launched, reviewers):
    approved_change(launched, reviewers)
    other = ProductFactory(stage="operation")
    services.change_create(user=other.owner, product=other, data=change_data())
    client = api(launched.owner)
    assert [c["product"] for c in client.get(f"/api/v1/changes/?product={launched.pk}").json()["results"]] == [
        launched.pk]
    assert [c["product"] for c in client.get("/api/v1/changes/?status=draft").json()["results"]] == [other.pk]


def test_change_list_takes_a_constant_number_of_queries(launched, reviewers):
    client = api(launched.owner)
    approved_change(launched, reviewers, pilot=True)
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/changes/")
    for _ in range(3):
        product = ProductFactory(stage="operation")
        services.change_create(user=product.owner, product=product, data=change_data())
    with CaptureQueriesContext(connection) as four:
        assert len(client.get("/api/v1/changes/").json()["results"]) == 4
    assert len(four) == len(one)


# --- Pilot and rollout -----------------------------------------------------------------------------------------------

def test_pilot_returns_200_piloting(piloting):
    data = api(piloting.product.owner).get(f"/api/v1/changes/{piloting.pk}/").json()
    assert data["status"] == "piloting"
    assert (data["regions"], data["segments"], data["channels"]) == (["上海"], ["youth"], ["mobile_banking"])


@pytest.mark.parametrize(("overrides", "field"), [
    ({"criteria": []}, "criteria"),
    ({"end": (TODAY - dt.timedelta(days=9)).isoformat()}, "end"),
    ({"criteria": [{"metric": "no_such_metric", "op": ">=", "value": 1}]}, "criteria"),
    ({"criteria": [{"metric": "csat", "op": "==", "value": 1}]}, "criteria"),
])
def test_invalid_pilot_is_400_naming_the_field(launched, reviewers, overrides, field):
    change = approved_change(launched, reviewers, pilot=True)
    response = api(launched.owner).post(f"/api/v1/changes/{change.pk}/pilot/", pilot_body(**overrides),
                                               format="json")
    assert response.status_code == 400
    assert field in response.json()
    change.refresh_from_db()
    assert change.status == "approved"


def test_detail_while_piloting_shows_actual_and_met(piloting):
    observe_in_pilot(piloting.product, "csat", TODAY, 90.0)
    criterion = api(piloting.product.owner).get(f"/api/v1/changes/{piloting.pk}/").json()["criteria"][0]
    assert criterion == {"metric": "csat", "op": ">=", "value": 80.0, "actual": 90.0, "met": True, "reason": ""}


def test_detail_without_data_shows_met_null(piloting):
    criterion = api(piloting.product.owner).get(f"/api/v1/changes/{piloting.pk}/").json()["criteria"][0]
    assert (criterion["actual"], criterion["met"]) == (None, None)


def test_rollout_while_a_criterion_fails_is_409_with_the_failing_criteria(piloting):
    observe_in_pilot(piloting.product, "csat", TODAY, 70.0)
    response = api(piloting.product.owner).post(f"/api/v1/changes/{piloting.pk}/rollout/", {},
                                                       format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "pilot_criteria_not_met"
    assert response.json()["failing"] == [{"metric": "csat", "op": ">=", "value": 80.0, "actual": 70.0}]


def test_rollout_with_criteria_met_is_200_and_makes_version_2(piloting):
    observe_in_pilot(piloting.product, "csat", TODAY, 85.0)
    response = api(piloting.product.owner).post(f"/api/v1/changes/{piloting.pk}/rollout/", {},
                                                       format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["version"]) == ("rolled_out", 2)
    versions = api(piloting.product.owner).get(f"/api/v1/products/{piloting.product_id}/terms/").json()
    assert [(v["version"], v["status"]) for v in versions["results"]] == [(2, "active"), (1, "superseded")]


def test_senior_management_override_rolls_out_anyway(piloting, executive):
    response = api(executive).post(f"/api/v1/changes/{piloting.pk}/rollout/",
                                          {"override_reason": "监管窗口期"}, format="json")
    assert response.status_code == 200
    assert response.json()["override_reason"] == "监管窗口期"


@pytest.mark.parametrize("who", ["owner", "head", "admin"])
def test_override_by_anyone_but_senior_management_is_403(piloting, head, admin_user, who):
    user = {"owner": piloting.product.owner, "head": head, "admin": admin_user}[who]
    response = api(user).post(f"/api/v1/changes/{piloting.pk}/rollout/", {"override_reason": "赶进度"},
                                     format="json")
    assert response.status_code == 403
    piloting.refresh_from_db()
    assert piloting.status == "piloting"


def test_senior_management_cannot_roll_out_without_an_override(piloting, executive):
    response = api(executive).post(f"/api/v1/changes/{piloting.pk}/rollout/", {}, format="json")
    assert response.status_code == 403


def test_withdraw_returns_withdrawn_and_keeps_the_terms(piloting):
    response = api(piloting.product.owner).post(f"/api/v1/changes/{piloting.pk}/withdraw/",
                                                       {"reason": "试点客户反馈差"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    piloting.product.refresh_from_db()
    assert str(piloting.product.fee) == "100.00"


def test_withdraw_without_a_reason_is_400(piloting):
    response = api(piloting.product.owner).post(f"/api/v1/changes/{piloting.pk}/withdraw/", {},
                                                       format="json")
    assert response.status_code == 400
    assert "reason" in response.json()


def test_four_eyes_refuses_the_owner_deciding_a_change_review_over_the_api(launched, reviewers):
    launched.owner.departments.add(*reviewers["finance"].departments.all())
    change = services.change_submit(user=launched.owner, change=services.change_create(
        user=launched.owner, product=launched, data=change_data()))
    response = api(launched.owner).post(f"/api/v1/gate-reviews/{change.review_id}/decisions/",
                                               {"department": "finance", "decision": "approve"}, format="json")
    assert response.status_code == 403
    approve_all(change.review, reviewers)
    change.refresh_from_db()
    assert change.status == "approved"


@pytest.mark.parametrize("terms", [{"fee_terms": "免\x00费"}, {"fee_terms": {"a": 1}}, {"features": "返现"},
                                   {"features": ["ok", 3]}, {"fee": True}])
def test_terms_of_the_wrong_kind_or_unstorable_text_are_400_naming_the_field(launched, terms):
    response = api(launched.owner).post(f"/api/v1/products/{launched.pk}/changes/", body(terms=terms),
                                               format="json")
    assert response.status_code == 400
    assert set(response.json()["terms"]) == set(terms)


def test_a_lone_surrogate_in_a_term_is_400_naming_it(launched):
    raw = '{"summary": "s", "reason": "internal", "terms": {"target_market": "\\ud800"}}'
    response = api(launched.owner).post(f"/api/v1/products/{launched.pk}/changes/", raw,
                                               content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["terms"]) == {"target_market"}


def test_a_text_term_is_cleared_with_null(launched):
    launched.fee_terms = "首年免年费"
    launched.save()
    services.terms_version_initial_ensure(product=launched)
    launched.terms_versions.update(terms={**launched.terms_versions.get().terms, "fee_terms": "首年免年费"})
    response = api(launched.owner).post(f"/api/v1/products/{launched.pk}/changes/",
                                               body(terms={"fee_terms": None}), format="json")
    assert response.status_code == 201
    assert response.json()["diff"] == [{"field": "fee_terms", "old": "首年免年费", "new": ""}]


def test_change_reviews_are_listed_in_the_engine_with_blank_stages(launched):
    change = services.change_submit(user=launched.owner, change=services.change_create(
        user=launched.owner, product=launched, data=change_data()))
    rows = api(launched.owner).get("/api/v1/gate-reviews/?process=change").json()["results"]
    assert [(r["id"], r["subject_type"], r["from_stage"], r["to_stage"]) for r in rows] == [
        (change.review_id, "change", "", "")]
