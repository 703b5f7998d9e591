"""Product services: create and edit write the audit chain with the field-by-field diff, in the same transaction;
a product manager may not hand a product over to someone else, a head of product may (service, API, edit page)."""
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core import hooks as core_hooks
from core.audit import audit_verify
from core.errors import DomainConflict
from core.models import AuditEntry
from products import services
from products.models import Product
from tests.factories import ProductFactory, UserFactory
from tests.helpers import api, assert_unchanged, login

pytestmark = pytest.mark.django_db


def test_creating_a_product_is_audited_with_its_initial_values(pm):
    product = services.product_create(user=pm, data={"code": "DP-900", "name": "新存款", "category": "deposit",
                                                     "risk_rating": "R1", "customer_segment": "mass_market"})
    entry = AuditEntry.objects.get(action="product_created")
    assert (entry.actor, entry.product, entry.object_id, entry.to_value) == (pm, product, str(product.pk), "DP-900")
    assert {"field": "risk_rating", "old": None, "new": "R1"} in entry.changes


def test_an_edit_is_audited_with_before_and_after_of_each_changed_field(head):
    product = ProductFactory(risk_rating="R2", fee=Decimal("1.50"))
    services.product_update(user=head, product=product, data={"risk_rating": "R3", "fee": Decimal("2.00"),
                                                                "name": product.name})
    entry = AuditEntry.objects.get(action="product_updated")
    assert (entry.actor, entry.product, entry.object_id, entry.from_value) == (head, product, str(product.pk),
                                                                             "risk_rating, fee")
    assert entry.changes == [{"field": "risk_rating", "old": "R2", "new": "R3"},
                             {"field": "fee", "old": "1.5", "new": "2"}]
    assert audit_verify() is None


def test_an_edit_that_changes_nothing_writes_no_entry(head):
    product = ProductFactory()
    services.product_update(user=head, product=product, data={"name": product.name})
    assert not AuditEntry.objects.filter(action="product_updated").exists()


def test_a_refused_edit_writes_no_entry(head):
    product = ProductFactory(category="loan")
    with pytest.raises(ValidationError):
        services.product_update(user=head, product=product, data={"fee": Decimal("-1")})
    assert not AuditEntry.objects.filter(product=product).exists()


def test_an_owner_change_is_audited_on_its_own(head):
    product = ProductFactory()
    new_owner = UserFactory(role="product_manager")
    old_owner_id = product.owner_id
    services.product_update(user=head, product=product, data={"owner": new_owner})
    entry = AuditEntry.objects.get(action="product_owner_changed")
    assert (entry.from_value, entry.to_value) == (str(old_owner_id), str(new_owner.pk))
    assert (entry.actor, entry.product, entry.object_type, entry.object_id) == (head, product, "product",
                                                                              str(product.pk))


def test_a_channel_change_is_in_the_diff(head):
    from products.models import SalesChannel

    product = ProductFactory()
    product.sales_channels.set(SalesChannel.objects.filter(code="branch"))
    channels = list(SalesChannel.objects.filter(code__in=["branch", "mobile_banking"]))
    services.product_update(user=head, product=product, data={"sales_channels": channels})
    change = AuditEntry.objects.get(action="product_updated").changes[0]
    assert change["field"] == "sales_channels" and sorted(change["new"]) == sorted(c.pk for c in channels)


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


# --- What apps above the catalogue register: hooks on creation, guards on edits (the owner among them) ----------

@pytest.fixture
def registries():
    """The registries as the apps left them at start-up, put back after the test."""
    saved = core_hooks.registry_state()
    yield
    core_hooks.registry_restore(saved)


def test_a_creation_hook_registered_twice_runs_once_per_new_product(registries, pm):
    created = []

    def hook(*, product, user):
        created.append((product.code, user))

    core_hooks.register_hook("products", "product_created", hook)
    core_hooks.register_hook("products", "product_created", hook)
    services.product_create(user=pm, data={"code": "DP-901", "name": "新存款", "category": "deposit",
                                           "risk_rating": "R1", "customer_segment": "mass_market"})
    assert created == [("DP-901", pm)]


def register_guard(name, guard):
    core_hooks.register_hook("products", "edit_guard", guard, key=name)


def _refuse_everything(**kwargs):
    raise DomainConflict("refused_in_test", "测试拒绝")


def test_a_registered_edit_guard_refuses_handing_the_product_over(registries, product, head, other_pm):
    register_guard("test.owner", _refuse_everything)
    with assert_unchanged(Product, AuditEntry), pytest.raises(DomainConflict):
        services.product_update(user=head, product=product, data={"owner": other_pm})


def test_an_edit_guard_registered_again_under_its_name_replaces_the_first(registries, product, head):
    register_guard("test.guard", _refuse_everything)
    register_guard("test.guard", lambda **kwargs: None)
    services.product_update(user=head, product=product, data={"name": "改名后"})
    product.refresh_from_db()
    assert product.name == "改名后"


def _managers_may_not_rename(*, product, user, changed):
    if "name" in changed and user.is_product_manager:
        raise DomainConflict("refused_in_test", "产品经理不能改名（测试）")


def test_an_edit_guard_judges_the_edit_by_the_user_making_it(registries, product, pm, head):
    register_guard("test.rename", _managers_may_not_rename)
    with assert_unchanged(Product, AuditEntry), pytest.raises(DomainConflict):
        services.product_update(user=pm, product=product, data={"name": "经理改名"})
    services.product_update(user=head, product=product, data={"name": "主管改名"})
    product.refresh_from_db()
    assert product.name == "主管改名"


def test_the_edit_refusal_is_the_guards_message_for_the_fields_and_user_it_refuses(registries, product, pm, head):
    register_guard("test.rename", _managers_may_not_rename)
    assert services.product_edit_refusal(user=pm, product=product, fields=["name"]) == "产品经理不能改名（测试）"
    assert services.product_edit_refusal(user=head, product=product, fields=["name"]) is None
    assert services.product_edit_refusal(user=pm, product=product, fields=["fee"]) is None


# --- Refusals say why, and write nothing -------------------------------------------------------------------------

def test_a_reviewer_creating_a_product_is_refused_with_who_may_and_nothing_is_written(reviewer):
    with assert_unchanged(Product, AuditEntry), pytest.raises(PermissionDenied) as error:
        services.product_create(user=reviewer, data={"code": "DP-902", "name": "新存款", "category": "deposit",
                                                     "risk_rating": "R1", "customer_segment": "mass_market"})
    assert str(error.value) == "只有产品经理、产品负责人和管理员可以创建产品。"


def test_a_product_manager_editing_someone_elses_product_is_refused_and_nothing_changes(product, other_pm):
    with assert_unchanged(Product, AuditEntry), pytest.raises(PermissionDenied) as error:
        services.product_update(user=other_pm, product=product, data={"name": "别人的改名"})
    assert str(error.value) == "您无权编辑该产品。"


def test_changing_a_products_code_is_refused_as_a_conflict_on_the_code_field_and_nothing_changes(product, head):
    with assert_unchanged(Product, AuditEntry), pytest.raises(DomainConflict) as refused:
        services.product_update(user=head, product=product, data={"code": "CC-NEW", "name": "新名字"})
    assert (refused.value.code, refused.value.field, refused.value.message) == (
        "code_fixed", "code", "产品代码创建后不可修改。")


def test_an_owner_given_by_id_is_a_change_only_when_it_names_someone_else(product, pm, other_pm):
    assert services.product_changed_fields(product=product, data={"owner": other_pm.pk}) == {"owner"}
    assert services.product_changed_fields(product=product, data={"owner": pm.pk}) == set()


def test_a_different_set_of_channels_is_a_change_and_the_same_set_in_another_order_is_not(head):
    product = ProductFactory(sales_channels=["mobile_banking", "branch"])
    channels = list(product.sales_channels.all())
    assert services.product_changed_fields(product=product, data={"sales_channels": channels[::-1]}) == set()
    assert services.product_changed_fields(product=product, data={"sales_channels": channels[:1]}) == {
        "sales_channels"}


def test_creating_a_product_with_a_taken_code_is_a_conflict_and_creates_nothing(pm):
    ProductFactory(code="DUP-1")
    with pytest.raises(DomainConflict) as refused:
        services.product_create(user=pm, data={"code": "DUP-1", "name": "重复", "category": "deposit",
                                               "risk_rating": "R1"})
    assert (refused.value.code, refused.value.field) == ("duplicate_code", "code")
    assert Product.objects.filter(code="DUP-1").count() == 1
    assert not AuditEntry.objects.filter(action="product_created", to_value="DUP-1").exists()


def test_a_deactivated_channel_is_not_added_to_a_product(pm, admin_user):
    from products.models import SalesChannel

    product = ProductFactory(owner=pm)
    online = SalesChannel.objects.get(code="online_banking")
    services.sales_channel_set_active(user=admin_user, channel=online, active=False)
    with pytest.raises(ValidationError) as error:
        services.product_update(user=pm, product=product, data={"sales_channels": [online]})
    assert "sales_channels" in error.value.message_dict and online not in product.sales_channels.all()


def test_a_deactivated_channel_stays_on_the_products_that_have_it(pm, admin_user):
    from products.models import SalesChannel

    product = ProductFactory(owner=pm)
    online = SalesChannel.objects.get(code="online_banking")
    product.sales_channels.add(online)
    services.sales_channel_set_active(user=admin_user, channel=online, active=False)
    services.product_update(user=pm, product=product, data={"name": "改名", "sales_channels": [online]})
    assert online in product.sales_channels.all()


def test_a_sales_channel_is_never_deleted():
    from django.db.models import ProtectedError

    from products.models import SalesChannel

    with pytest.raises(ProtectedError):
        SalesChannel.objects.get(code="online_banking").delete()
    assert SalesChannel.objects.filter(code="online_banking").exists()
