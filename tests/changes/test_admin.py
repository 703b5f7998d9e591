from decimal import Decimal

import pytest
from django.urls import reverse

from changes import services
from core.models import AuditEntry
from tests.factories import ProductFactory

from .conftest import change_data

pytestmark = pytest.mark.django_db


def admin_form(product, **overrides):
    data = {"code": product.code, "name": product.name, "name_en": product.name_en, "category": product.category,
            "owner": product.owner_id, "customer_segment": product.customer_segment,
            "risk_rating": product.risk_rating, "sales_channels": list(product.sales_channels.values_list("pk",
                                                                                                      flat=True)),
            "fee": str(product.fee or ""), "interest_rate": "", "fee_terms": "", "expected_yield_min": "",
            "expected_yield_max": "", "features": '["积分兑换"]', "target_market": "", "excluded_market": "",
            "excluded_segments": "[]", "description": ""}
    return {**data, **overrides}


def test_admin_refuses_a_term_change_after_launch(client, admin_user, launched):
    client.force_login(admin_user)
    url = reverse("admin:products_product_change", args=[launched.pk])
    response = client.post(url, admin_form(launched, fee="5"))
    assert response.status_code == 200
    assert "条款已冻结" in response.content.decode()
    launched.refresh_from_db()
    assert launched.fee == Decimal("100.00")


def test_admin_edit_of_other_fields_goes_through_the_audited_service(client, admin_user, launched):
    client.force_login(admin_user)
    url = reverse("admin:products_product_change", args=[launched.pk])
    response = client.post(url, admin_form(launched, name="后台改名"))
    assert response.status_code == 302, response.content.decode()[:2000]
    launched.refresh_from_db()
    assert launched.name == "后台改名"
    assert AuditEntry.objects.filter(product=launched, action="product_updated", actor=admin_user).exists()


def test_admin_edit_of_terms_before_launch_is_allowed(client, admin_user, owner):
    product = ProductFactory(owner=owner, fee="10.00", features=["积分兑换"])
    product.refresh_from_db()
    client.force_login(admin_user)
    response = client.post(reverse("admin:products_product_change", args=[product.pk]), admin_form(product, fee="5"))
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.fee == Decimal("5.00")


def test_change_admin_withdraws_through_the_service(client, admin_user, launched):
    change = services.change_create(user=launched.owner, product=launched, data=change_data())
    client.force_login(admin_user)
    client.post(reverse("admin:changes_change_changelist"), {"action": "withdraw", "_selected_action": [change.pk]})
    change.refresh_from_db()
    assert change.status == "withdrawn"
    assert AuditEntry.objects.filter(action="change_withdrawn", actor=admin_user).exists()
