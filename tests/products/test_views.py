from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from products.models import Product
from tests.factories import ProductFactory, UserFactory

ROLES = ["product_manager", "reviewer", "head_of_product", "senior_management", "administrator"]


def user_with(role):
    return UserFactory(role=role, username=f"u_{role}", is_superuser=role == "administrator")


def form_data(**overrides):
    data = {
        "code": "DEP-NEW", "name": "新存款", "name_en": "New deposit", "category": "deposit",
        "customer_segment": "mass_market", "risk_rating": "R1", "sales_channels": ["1"], "interest_rate": "1.5",
    }
    return {**data, **overrides}


@pytest.mark.parametrize(
    ("role", "expected"),
    [("product_manager", 302), ("reviewer", 403), ("head_of_product", 200), ("senior_management", 403),
     ("administrator", 200)],
)
def test_create_page_permissions_by_role(client, db, role, expected):
    client.force_login(user_with(role))
    data = form_data() if role != "product_manager" else form_data()
    if role in ("head_of_product", "administrator"):
        data["owner"] = ""  # must choose an owner: the form is shown again with an error
    response = client.post("/products/new/", data)
    assert response.status_code == expected
    assert Product.objects.filter(code="DEP-NEW").exists() == (expected == 302)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_can_view_list_and_detail(client, db, role):
    product = ProductFactory()
    client.force_login(user_with(role))
    assert client.get("/products/").status_code == 200
    assert client.get(f"/products/{product.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("role", "own", "expected"),
    [("product_manager", True, 200), ("product_manager", False, 403), ("reviewer", False, 403),
     ("head_of_product", False, 200), ("senior_management", False, 403), ("administrator", False, 200)],
)
def test_edit_page_permissions_by_role_and_ownership(client, db, role, own, expected):
    user = user_with(role)
    product = ProductFactory(owner=user if own else UserFactory(username="someone"))
    client.force_login(user)
    assert client.get(f"/products/{product.pk}/edit/").status_code == expected


def test_form_shows_field_level_errors_and_creates_nothing(client, pm):
    client.force_login(pm)
    response = client.post("/products/new/", form_data(interest_rate="-2", code="bad code"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "interest_rate" in errors and "code" in errors
    assert not Product.objects.exists()


def test_product_manager_creating_through_the_form_owns_the_product(client, pm, other_pm):
    client.force_login(pm)
    response = client.post("/products/new/", form_data(owner=other_pm.pk))
    assert response.status_code == 302
    assert Product.objects.get(code="DEP-NEW").owner == pm


def test_head_of_product_assigns_the_owner(client, head, pm):
    client.force_login(head)
    client.post("/products/new/", form_data(owner=pm.pk))
    assert Product.objects.get(code="DEP-NEW").owner == pm


def test_editing_keeps_the_code_and_the_stage(client, pm):
    product = ProductFactory(owner=pm, code="KEEP-1")
    client.force_login(pm)
    response = client.post(f"/products/{product.pk}/edit/", form_data(code="CHANGED", name="新名字"))
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.code, product.name, product.stage) == ("KEEP-1", "新名字", "planning")


def test_list_filters_search_and_sorts(client, pm):
    ProductFactory(owner=pm, code="L-1", name="安居房贷", category="loan", risk_rating="R2")
    ProductFactory(owner=pm, code="L-2", name="薪享贷", category="loan", risk_rating="R3")
    ProductFactory(owner=pm, code="D-1", name="活期宝", category="deposit")
    client.force_login(pm)
    codes = lambda r: [p.code for p in r.context["object_list"]]  # noqa: E731
    assert codes(client.get("/products/", {"category": "loan", "ordering": "-code"})) == ["L-2", "L-1"]
    assert codes(client.get("/products/", {"q": "房贷"})) == ["L-1"]
    assert codes(client.get("/products/", {"risk_rating": ["R2", "R3"], "ordering": "code"})) == ["L-1", "L-2"]
    assert codes(client.get("/products/", {"stage": "operation"})) == []


def test_list_paginates(client, pm):
    ProductFactory.create_batch(30, owner=pm)
    client.force_login(pm)
    response = client.get("/products/")
    assert len(response.context["object_list"]) == 25
    assert response.context["page_obj"].paginator.num_pages == 2


def test_list_page_uses_the_same_number_of_queries_for_5_and_50_products(client, pm):
    client.force_login(pm)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/products/", {"page_size": 100}).status_code == 200
        return len(ctx.captured_queries)

    ProductFactory.create_batch(5, owner=pm)
    few = count()
    ProductFactory.create_batch(45, owner=UserFactory(username="another"))
    assert count() == few


def test_detail_page_shows_edit_only_to_those_who_may_edit(client, pm, other_pm):
    product = ProductFactory(owner=other_pm)
    client.force_login(pm)
    assert client.get(f"/products/{product.pk}/").context["can_edit"] is False
    client.force_login(other_pm)
    assert client.get(f"/products/{product.pk}/").context["can_edit"] is True


def test_pages_render_in_english_when_chosen(client, pm):
    ProductFactory(owner=pm, name="活期宝", name_en="Smart Current Account")
    client.force_login(pm)
    client.post("/i18n/setlang/", {"language": "en", "next": "/products/"})
    body = client.get("/products/").content.decode()
    assert "Product catalogue" in body and "Smart Current Account" in body


def test_csv_export_respects_the_filters(client, pm):
    ProductFactory(owner=pm, code="L-1", name="安居房贷", category="loan")
    ProductFactory(owner=pm, code="D-1", category="deposit")
    client.force_login(pm)
    response = client.get("/products/", {"category": "loan", "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("产品代码,产品名称")
    assert len(lines) == 2 and lines[1].startswith("L-1,安居房贷")


def test_xlsx_export_is_a_workbook(client, pm):
    from io import BytesIO

    from openpyxl import load_workbook

    ProductFactory(owner=pm, code="L-1")
    client.force_login(pm)
    response = client.get("/products/", {"export": "xlsx"})
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet["A2"].value == "L-1"


@pytest.mark.parametrize("size", ["²", "١", "-3", "abc"])
def test_odd_page_sizes_fall_back_to_the_default(client, pm, size):
    ProductFactory.create_batch(3, owner=pm)
    client.force_login(pm)
    response = client.get("/products/", {"page_size": size})
    assert response.status_code == 200
    assert response.context["paginator"].per_page == 25


def test_exported_text_cannot_run_as_a_spreadsheet_formula(client, pm):
    ProductFactory(owner=pm, code="F-1", name='=HYPERLINK("http://x","点我")')
    client.force_login(pm)
    lines = client.get("/products/", {"export": "csv"}).content.decode("utf-8-sig").splitlines()
    assert "'=HYPERLINK" in lines[1]


def test_english_list_and_csv_join_channels_with_a_comma(client, pm):
    ProductFactory(owner=pm, code="L-9", sales_channels=["branch", "mobile_banking"])
    client.force_login(pm)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/products/").content.decode()
    assert "Branch, Mobile banking" in body and "、" not in body
    csv_text = client.get("/products/", {"export": "csv"}).content.decode("utf-8-sig")
    assert '"Branch, Mobile banking"' in csv_text and "、" not in csv_text


def test_chinese_csv_keeps_the_chinese_list_separator(client, pm):
    ProductFactory(owner=pm, code="L-8", sales_channels=["branch", "mobile_banking"])
    client.force_login(pm)
    csv_text = client.get("/products/", {"export": "csv"}).content.decode("utf-8-sig")
    assert "、手机银行" in csv_text.splitlines()[1]


def test_detail_page_shows_the_rate_at_its_precision_and_the_fee_with_separators_and_unit(client, db):
    product = ProductFactory(interest_rate=Decimal("18.2500"), fee=Decimal("12000"))
    client.force_login(product.owner)
    html = client.get(product.get_absolute_url()).content.decode()
    assert '<dd class="col-6" id="product-rate">18.25%</dd>' in html
    assert '<dd class="col-6" id="product-fee">12,000.00 元</dd>' in html
