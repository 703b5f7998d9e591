"""What request bodies must be, as the schema says it (issue 14, point 7): the rules the serializers and services
apply and a JSON Schema can state, checked against bodies the server refuses and takes."""
import re

import jsonschema
import pytest

from tests.factories import ProductFactory
from tests.helpers import api

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def components(django_db_setup, django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        schema = Client().get("/api/schema/?format=json").json()
    return schema["components"]["schemas"]


def valid(components, name, body) -> bool:
    """Whether `body` is valid for the component `name` (nullable and $ref as OpenAPI 3.0 means them)."""
    root = {"components": {"schemas": components}, "$ref": f"#/components/schemas/{name}"}
    return jsonschema.Draft4Validator(root).is_valid(body)


def test_single_line_text_is_declared_with_its_format_and_a_pattern(components):
    title = components["RequirementRequest"]["properties"]["title"]
    assert title["format"] == "single-line" and "Unicode category C" in title["description"]
    pattern = re.compile(title["pattern"])
    assert pattern.search("信用卡分期") and pattern.search("a b")
    for bad in ("gpj.exe\u202e卡", "\x1b[31m红", "   ", "tab\there", "nul\x00"):
        assert not pattern.search(bad), bad


def test_other_text_bars_only_nul_and_blank_where_it_must_not_be_blank(components):
    description = re.compile(components["RequirementRequest"]["properties"]["description"]["pattern"])
    assert description.search("第一行\n第二行\t") and description.search("")
    assert not description.search("nul\x00")
    comment = re.compile(components["CommentRequest"]["properties"]["comment"]["pattern"])
    assert comment.search("已处理") and not comment.search(" \n ")


def test_decimals_with_a_minimum_refuse_negative_and_zero_values(components):
    effort = components["RequirementRequest"]["properties"]["effort"]
    assert not re.search(effort["pattern"], "-1.0") and re.search(effort["pattern"], "0.1")
    assert effort["not"] == {"pattern": "^[0.]*$"}
    rate = components["ProductRequest"]["properties"]["interest_rate"]["pattern"]
    assert re.search(rate, "3.25") and not re.search(rate, "-0.5") and not re.search(rate, ".")


def test_lists_that_must_not_be_empty_say_so(components):
    assert components["PilotInputRequest"]["properties"]["criteria"]["minItems"] == 1
    assert components["FeedbackConvertRequest"]["properties"]["feedback"]["minItems"] == 1


def test_bulk_bodies_declare_their_item_counts(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]

    def body(path):
        return paths[path]["post"]["requestBody"]["content"]["application/json"]["schema"]

    assert (body("/api/v1/requirements/bulk/")["minItems"], body("/api/v1/requirements/bulk/")["maxItems"]) == (1,
                                                                                                                1000)
    assert (body("/api/v1/metrics/observations/")["minItems"],
            body("/api/v1/metrics/observations/")["maxItems"]) == (1, 10000)


@pytest.mark.parametrize(("name", "refused", "taken"), [
    ("DecisionRequest", {"department": "risk", "decision": "reject"},
     {"department": "risk", "decision": "reject", "comment": "材料不全"}),
    ("TransitionRequest", {"transition": "defer", "reason": "  "}, {"transition": "defer", "reason": "下季度"}),
    ("PatchedDeliverableUpdateRequest", {"status": "waived"}, {"status": "waived", "reason": "不适用"}),
    ("PatchedRiskUpdateRequest", {"status": "closed"}, {"status": "closed", "closure_reason": "已缓释"}),
    ("ComputeRequestRequest", {"period": "2026-Q4", "granularity": "month"},
     {"period": "2026-10", "granularity": "quarter"}),
    ("VersionReleaseRequest", {"unfinished": "move"}, {"unfinished": "move", "move_to": 3}),
])
def test_rules_between_fields_of_one_body(components, name, refused, taken):
    assert not valid(components, name, refused)
    assert valid(components, name, taken)


def test_a_decision_to_approve_needs_no_comment(components):
    assert valid(components, "DecisionRequest", {"department": "risk", "decision": "approve"})


def test_a_product_names_its_owner_and_only_deposits_and_wealth_products_a_yield(components):
    product = components["ProductRequest"]
    assert "owner" in product["required"]
    base = {"code": "LN-9", "name": "贷款", "category": "loan", "risk_rating": "R2", "owner": 1}
    assert valid(components, "ProductRequest", base)
    assert valid(components, "ProductRequest", {**base, "expected_yield_min": "0"})
    assert not valid(components, "ProductRequest", {**base, "expected_yield_min": "1.5"})
    assert valid(components, "ProductRequest", {**base, "category": "deposit", "expected_yield_min": "1.5"})


def test_the_server_refuses_what_the_schema_bars_and_a_head_without_owner(head):
    """The schema's rules are the server's: a head of product names the owner; a loan has no yield."""
    client = api(head)
    base = {"code": "LN-90", "name": "经营贷", "category": "loan", "risk_rating": "R2"}
    assert "owner" in client.post("/api/v1/products/", base, format="json").json()
    refused = client.post("/api/v1/products/", {**base, "owner": head.pk, "expected_yield_min": "1.5"},
                          format="json")
    assert refused.status_code == 400 and "expected_yield_min" in refused.json()
    product = ProductFactory(owner=head)
    assert client.patch(f"/api/v1/products/{product.pk}/", {"name": "  "}, format="json").status_code == 400


def test_a_risk_review_states_its_comment_is_required_and_not_blank(components):
    body = {"likelihood": 3, "impact": 3, "residual_likelihood": 2, "residual_impact": 2}
    assert not valid(components, "ReviewRequest", {**body, "comment": ""})
    assert not valid(components, "AcceptRequest", {"comment": "  "})
    assert valid(components, "ReviewRequest", {**body, "comment": "复核"})


@pytest.mark.parametrize("name", ["RiskWriteRequest", "PatchedRiskUpdateRequest", "ReviewRequest"])
def test_a_risks_next_review_date_in_the_past_is_schema_invalid(components, name):
    from django.utils import timezone

    prop = components[name]["properties"]["review_due"]
    next_year = f"{timezone.localdate().year + 1}-03-01"
    assert not re.search(prop["pattern"], "2000-01-01") and re.search(prop["pattern"], next_year)


def test_an_id_of_zero_is_schema_invalid_for_a_reference(components):
    assert components["PatchedProductRequest"]["properties"]["owner"]["minimum"] == 1
    assert not valid(components, "PatchedProductRequest", {"owner": 0})
