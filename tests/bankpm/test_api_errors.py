"""Bad requests get the API's JSON error shape and the right status, never a 500 or an HTML page."""
import json

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from tests.factories import ProductFactory
from tests.helpers import api

pytestmark = pytest.mark.django_db


def test_an_array_nested_too_deep_to_decode_is_a_400(head):
    response = api(head).post("/api/v1/metrics/observations/", "[" * 100_000,
                                     content_type="application/json")
    assert response.status_code == 400 and "嵌套过深" in response.json()["detail"]


def test_objects_nested_too_deep_in_a_bulk_create_are_a_400(head):
    body = '{"a":' * 100_000 + "1" + "}" * 100_000
    response = api(head).post("/api/v1/requirements/bulk/", body, content_type="application/json")
    assert response.status_code == 400 and response["Content-Type"] == "application/json"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_over_the_limit_is_a_json_413_that_names_the_limit(head):
    items = [{"product": "CC-001", "metric": "revenue", "date": "2026-10-01", "value": 1}] * 100
    response = api(head).post("/api/v1/metrics/observations/", json.dumps(items),
                                     content_type="application/json")
    assert response.status_code == 413
    assert response.json()["limit"] == 1000 and "1,000" in response.json()["detail"]


@pytest.mark.parametrize("headers", [{}, {"HTTP_AUTHORIZATION": "Token not-a-token"}])
def test_a_missing_or_bad_token_is_a_401_asking_for_a_token(headers):
    response = APIClient().get("/api/v1/products/", **headers)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("query", ["page=a", "page=0", "page=1&page=2", "page_size=null", "page_size=-3",
                                   "page_size=501"])
def test_page_and_page_size_must_be_positive_integers(pm, query):
    response = api(pm).get(f"/api/v1/products/?{query}")
    assert response.status_code == 400 and set(response.json()) <= {"page", "page_size"}


def test_an_id_filter_naming_no_row_gives_an_empty_list(pm):
    ProductFactory(owner=pm)
    response = api(pm).get("/api/v1/products/?owner=999999")
    assert response.status_code == 200 and response.json()["count"] == 0


def test_an_unknown_granularity_filter_is_refused(pm):
    assert api(pm).get("/api/v1/kpi-snapshots/?granularity=week").status_code == 400


def test_the_schema_says_request_bodies_take_no_unknown_fields(pm):
    schema = api(pm).get("/api/schema/?format=json").json()
    assert schema["components"]["schemas"]["ProductRequest"]["additionalProperties"] is False
    page = next(p for p in schema["paths"]["/api/v1/products/"]["get"]["parameters"] if p["name"] == "page")
    assert page["schema"]["minimum"] == 1


@pytest.mark.parametrize("query", ["ordering=", "ordering=rice_score,,id", "ordering=rice_score,"])
def test_an_empty_ordering_item_is_refused(pm, query):
    response = api(pm).get(f"/api/v1/requirements/?{query}")
    assert response.status_code == 400 and set(response.json()) == {"ordering"}


def test_a_valid_ordering_list_is_applied(pm):
    response = api(pm).get("/api/v1/requirements/?ordering=-due_date,id")
    assert response.status_code == 200


def test_a_nul_character_in_a_text_filter_is_refused(pm):
    response = api(pm).get("/api/v1/products/?q=a%00b")
    assert response.status_code == 400 and set(response.json()) == {"q"}


def test_an_empty_audit_action_or_object_type_is_refused(head):
    response = api(head).get("/api/v1/audit/?action=&object_type=")
    assert response.status_code == 400 and set(response.json()) == {"action", "object_type"}


def test_the_schema_lists_the_registered_audit_actions_and_review_processes(pm):
    from approvals.engine import process_choices
    from core.audit import action_choices

    paths = api(pm).get("/api/schema/?format=json").json()["paths"]

    def enum(path, name):
        return next(p for p in paths[path]["get"]["parameters"] if p["name"] == name)["schema"]["enum"]
    assert enum("/api/v1/audit/", "action") == [code for code, _ in action_choices()]
    assert enum("/api/v1/gate-reviews/", "process") == [code for code, _ in process_choices()]


def test_the_schema_says_query_lists_are_not_empty_and_text_holds_no_nul(pm):
    parameters = api(pm).get("/api/schema/?format=json").json()["paths"]["/api/v1/requirements/"]["get"][
        "parameters"]
    by_name = {p["name"]: p["schema"] for p in parameters}
    assert by_name["ordering"]["minItems"] == 1
    assert by_name["q"]["pattern"] == "^[^\\x00]*$"


def test_a_form_encoded_body_is_refused_as_an_unsupported_media_type(pm):
    response = api(pm).post("/api/v1/products/", {"code": "X-1"}, format="multipart")
    assert response.status_code == 415


def test_the_schema_declares_json_bodies_only(pm):
    schema = api(pm).get("/api/schema/?format=json").json()
    assert set(schema["paths"]["/api/v1/products/"]["post"]["requestBody"]["content"]) == {"application/json"}


def test_the_schema_says_a_decimal_holds_a_digit(pm):
    import re

    schema = api(pm).get("/api/schema/?format=json").json()
    pattern = schema["components"]["schemas"]["RequirementRequest"]["properties"]["effort"]["pattern"]
    assert [bool(re.fullmatch(pattern, text)) for text in ("", "-", ".", "2", "2.5", ".5")] == [
        False, False, False, True, True, True]


def test_a_bulk_item_naming_product_zero_is_told_the_product_does_not_exist(pm):
    item = {"product": 0, "title": "批量", "source": "incident", "type": "defect", "priority": "P1"}
    response = api(pm).post("/api/v1/requirements/bulk/", [item], format="json")
    assert response.status_code == 400
    assert "0" in response.json()["errors"][0]["errors"]["product"][0]
    assert "类型错误" not in response.json()["errors"][0]["errors"]["product"][0]
