"""A product manager may not hand a product over to someone else; a head of product may. Through the service, the
API and the edit page."""
import pytest
from django.core.exceptions import ValidationError

from products import services
from products.models import Product
from tests.factories import ProductFactory
from tests.helpers import api, assert_unchanged, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(pm):
    return ProductFactory(owner=pm, code="CC-OWN", name="旧名字")


def test_a_product_manager_handing_over_their_product_is_refused_and_nothing_changes(product, pm, other_pm):
    with assert_unchanged(Product), pytest.raises(ValidationError) as error:
        services.product_update(user=pm, product=product, data={"owner": other_pm, "name": "新名字"})
    assert error.value.message_dict == {"owner": ["产品经理不能转交产品负责人。"]}


def test_a_product_manager_naming_themselves_as_owner_is_an_ordinary_edit(product, pm):
    services.product_update(user=pm, product=product, data={"owner": pm, "name": "新名字"})
    product.refresh_from_db()
    assert (product.owner, product.name) == (pm, "新名字")


def test_a_head_of_product_hands_a_product_over(product, head, other_pm):
    services.product_update(user=head, product=product, data={"owner": other_pm})
    product.refresh_from_db()
    assert product.owner == other_pm


def test_handing_over_over_the_api_as_a_product_manager_is_400_and_changes_nothing(product, pm, other_pm):
    with assert_unchanged(Product):
        response = api(pm).patch(f"/api/v1/products/{product.pk}/", {"owner": other_pm.pk, "name": "新名字"},
                                 format="json")
    assert response.status_code == 400
    assert response.json() == {"owner": ["产品经理不能转交产品负责人。"]}


def test_handing_over_over_the_api_as_a_head_of_product_is_stored(product, head, other_pm):
    response = api(head).patch(f"/api/v1/products/{product.pk}/", {"owner": other_pm.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["owner"] == other_pm.pk
    assert Product.objects.get(pk=product.pk).owner == other_pm


def test_the_edit_page_keeps_the_owner_when_a_product_manager_posts_another(client, product, pm, other_pm):
    data = {"name": "新名字", "name_en": "Renamed", "category": "deposit", "customer_segment": "mass_market",
            "risk_rating": "R1", "sales_channels": ["1"], "interest_rate": "1.5", "owner": other_pm.pk}
    response = login(client, pm).post(f"/products/{product.pk}/edit/", data)
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.owner, product.name) == (pm, "新名字")


def test_a_product_manager_creating_a_product_for_someone_else_is_refused(pm, other_pm):
    data = {"code": "CC-NEW", "name": "新卡", "category": "credit_card", "customer_segment": "mass_market",
            "risk_rating": "R2", "owner": other_pm}
    with assert_unchanged(Product), pytest.raises(ValidationError) as error:
        services.product_create(user=pm, data=data)
    assert error.value.message_dict == {"owner": ["产品经理只能创建自己负责的产品。"]}


def test_a_product_manager_creating_a_product_for_someone_else_over_the_api_is_400(pm, other_pm):
    data = {"code": "CC-NEW", "name": "新卡", "name_en": "New card", "category": "credit_card",
            "customer_segment": "mass_market", "risk_rating": "R2", "sales_channels": ["branch"],
            "owner": other_pm.pk}
    with assert_unchanged(Product):
        response = api(pm).post("/api/v1/products/", data, format="json")
    assert response.status_code == 400
    assert response.json() == {"owner": ["产品经理只能创建自己负责的产品。"]}


def test_a_product_manager_naming_themselves_owns_what_they_create(pm):
    data = {"code": "CC-NEW", "name": "新卡", "category": "credit_card", "customer_segment": "mass_market",
            "risk_rating": "R2", "owner": pm}
    assert services.product_create(user=pm, data=data).owner == pm


def test_a_head_of_product_must_name_the_owner(head):
    data = {"code": "CC-NEW", "name": "新卡", "category": "credit_card", "customer_segment": "mass_market",
            "risk_rating": "R2"}
    with assert_unchanged(Product), pytest.raises(ValidationError) as error:
        services.product_create(user=head, data=data)
    assert error.value.message_dict == {"owner": ["请选择负责该产品的产品经理。"]}
