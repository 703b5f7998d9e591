import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from products.models import Product
from tests.factories import ProductFactory
from tests.helpers import api, assert_unchanged

URL = "/api/v1/products/"


def valid_payload(**overrides):
    payload = {
        "code": "WM-NEW", "name": "新理财", "name_en": "New wealth", "category": "wealth", "risk_rating": "R2",
        "customer_segment": "affluent", "sales_channels": ["mobile_banking"], "expected_yield_min": "2.0",
        "expected_yield_max": "3.5",
    }
    return {**payload, **overrides}


def test_product_manager_creates_product_owned_by_themselves(pm):
    response = api(pm).post(URL, valid_payload(), format="json")
    assert response.status_code == 201, response.content
    product = Product.objects.get(code="WM-NEW")
    assert product.owner == pm
    assert response.json()["stage"] == "planning"
    assert list(product.sales_channels.values_list("code", flat=True)) == ["mobile_banking"]


def test_reviewer_cannot_create_product(reviewer):
    response = api(reviewer).post(URL, valid_payload(), format="json")
    assert response.status_code == 403
    assert not Product.objects.exists()


def test_product_manager_cannot_edit_someone_elses_product(pm, other_pm):
    product = ProductFactory(owner=other_pm)
    response = api(pm).patch(f"{URL}{product.pk}/", {"name": "改名"}, format="json")
    assert response.status_code == 403
    product.refresh_from_db()
    assert product.name != "改名"


def test_head_of_product_edits_any_product(head, pm):
    product = ProductFactory(owner=pm)
    response = api(head).patch(f"{URL}{product.pk}/", {"name": "改名"}, format="json")
    assert response.status_code == 200
    product.refresh_from_db()
    assert product.name == "改名"


def test_yield_range_with_min_above_max_is_refused_naming_the_field(pm):
    response = api(pm).post(URL, valid_payload(expected_yield_min="5", expected_yield_max="3"), format="json")
    assert response.status_code == 400
    assert "expected_yield_max" in response.json()
    assert not Product.objects.exists()


def test_negative_rate_is_refused_naming_the_field(pm):
    response = api(pm).post(URL, valid_payload(category="deposit", interest_rate="-1"), format="json")
    assert response.status_code == 400
    assert "interest_rate" in response.json()


def test_unknown_field_is_refused(pm):
    response = api(pm).post(URL, valid_payload(colour="red"), format="json")
    assert response.status_code == 400
    assert response.json() == {"colour": ["未知字段。"]}


def test_stage_cannot_be_set_through_the_api(pm):
    product = ProductFactory(owner=pm)
    response = api(pm).patch(f"{URL}{product.pk}/", {"stage": "operation"}, format="json")
    assert response.status_code == 400
    product.refresh_from_db()
    assert product.stage == "planning"


def test_duplicate_code_is_refused_as_a_conflict_naming_the_field(pm):
    """Which codes are taken is the catalogue's state: 409 `duplicate_code` on the field `code` (docs/api.md)."""
    ProductFactory(code="WM-NEW", owner=pm)
    with assert_unchanged(Product):
        response = api(pm).post(URL, valid_payload(), format="json")
    assert response.status_code == 409
    assert response.json() == {"code": "duplicate_code", "detail": "该产品代码已存在。", "field": "code"}


def test_a_malformed_code_is_still_a_400_on_the_field(pm):
    response = api(pm).post(URL, {**valid_payload(), "code": "wm new"}, format="json")
    assert response.status_code == 400 and "code" in response.json()


def test_malformed_json_is_refused(pm):
    response = api(pm).post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert not Product.objects.exists()


def test_filters_are_shared_with_the_page(pm):
    ProductFactory(owner=pm, category="loan", risk_rating="R3")
    ProductFactory(owner=pm, category="deposit")
    response = api(pm).get(URL, {"category": "loan", "risk_rating": "R3"})
    assert [row["category"] for row in response.json()["results"]] == ["loan"]


def test_list_uses_the_same_number_of_queries_for_5_and_50_products(pm):
    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert api(pm).get(URL, {"page_size": 100}).status_code == 200
        return len(ctx.captured_queries)

    ProductFactory.create_batch(5, owner=pm)
    few = count_queries()
    ProductFactory.create_batch(45)
    assert count_queries() == few


def test_token_endpoint_returns_a_token_that_authenticates(pm):
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "pm_a", "password": "test-pass-123"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(URL).status_code == 200


def test_anonymous_requests_are_refused(db):
    assert APIClient().get(URL).status_code == 401


ROLE_MATRIX = [
    # role, list, create, edit own, edit other's
    ("product_manager", 200, 201, 200, 403),
    ("reviewer", 200, 403, None, 403),
    ("head_of_product", 200, 201, None, 200),
    ("senior_management", 200, 403, None, 403),
    ("administrator", 200, 201, None, 200),
]


@pytest.mark.parametrize(("role", "list_", "create", "edit_own", "edit_other"), ROLE_MATRIX)
def test_api_permission_matrix(db, role, list_, create, edit_own, edit_other):
    from tests.factories import UserFactory

    user = UserFactory(role=role, username=f"api_{role}", is_superuser=role == "administrator")
    pm_owner = UserFactory(username="owner_pm")
    client = api(user)
    assert client.get(URL).status_code == list_
    payload = valid_payload(code=f"C-{role[:8].upper()}")
    if role != "product_manager":  # a product manager always owns what they create
        payload["owner"] = pm_owner.pk
    assert client.post(URL, payload, format="json").status_code == create
    other = ProductFactory(owner=pm_owner)
    assert client.patch(f"{URL}{other.pk}/", {"name": "x"}, format="json").status_code == edit_other
    if edit_own:
        own = ProductFactory(owner=user)
        assert client.patch(f"{URL}{own.pk}/", {"name": "x"}, format="json").status_code == edit_own


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"interest_rate": "abc"}, "interest_rate"),
        ({"category": "spaceship"}, "category"),
        ({"sales_channels": "branch"}, "sales_channels"),
        ({"sales_channels": ["teleport"]}, "sales_channels"),
        ({"name": "长" * 121}, "name"),
        ({"code": "X" * 40}, "code"),
        ({"risk_rating": 3}, "risk_rating"),
    ],
)
def test_wrong_types_and_overlong_values_are_refused_naming_the_field(pm, payload, field):
    response = api(pm).post(URL, valid_payload(**payload), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Product.objects.exists()


def test_products_are_never_deleted_through_the_api(pm):
    product = ProductFactory(owner=pm)
    assert api(pm).delete(f"{URL}{product.pk}/").status_code == 405
    assert Product.objects.filter(pk=product.pk).exists()


def test_head_must_choose_an_owner(head):
    response = api(head).post(URL, valid_payload(), format="json")
    assert response.status_code == 400
    assert "owner" in response.json()


def test_code_cannot_be_changed_once_the_product_exists(pm):
    product = ProductFactory(owner=pm, code="KEEP-2")
    response = api(pm).patch(f"{URL}{product.pk}/", {"code": "NEW-2"}, format="json")
    # The product's current code is what refuses: 409 `code_fixed` (it was a 400 on `code`).
    assert response.status_code == 409
    assert response.json()["code"] == "code_fixed"
    product.refresh_from_db()
    assert product.code == "KEEP-2"


@pytest.mark.parametrize("name", ["gpj.exe\u202e卡", "\x1b[31m红色\x1b[0m"])
def test_a_name_with_bidi_controls_or_escape_sequences_is_refused(head, name):
    client = APIClient()
    client.force_authenticate(head)
    product = ProductFactory(owner=head)
    response = client.patch(f"/api/v1/products/{product.pk}/", {"name": name}, format="json")
    assert response.status_code == 400 and "name" in response.json()


@pytest.mark.django_db
def test_list_rows_are_what_drf_would_write_field_for_field(pm):
    from django.test import RequestFactory
    from rest_framework.request import Request
    from rest_framework.serializers import ModelSerializer

    from products import selectors
    from products.api.serializers import ProductSerializer
    from products.models import SalesChannel

    full = ProductFactory(owner=pm, features=["返现 1%", "免年费"], interest_rate="3.25", fee="12.00",
                          expected_yield_min="2.0", expected_yield_max="3.5", name_en="Cashback card")
    full.sales_channels.set(SalesChannel.objects.all()[:2])
    ProductFactory(owner=pm)
    rows = list(selectors.product_list().order_by("id"))
    serializer = ProductSerializer(rows, many=True, context={"request": Request(RequestFactory().get(URL))})
    assert serializer.data == [ModelSerializer.to_representation(serializer.child, row) for row in rows]
    assert len(serializer.data[0]["sales_channels"]) == 2 and serializer.data[0]["owner_username"] == pm.username
