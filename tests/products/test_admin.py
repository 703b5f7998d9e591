"""The product admin saves through the service (audited with the diff) and never deletes."""
import pytest
from django.urls import reverse

from core.models import AuditEntry
from products.models import Product, SalesChannel
from tests.admin_forms import admin_post_data
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_an_admin_edit_is_audited_with_the_field_diff(client, admin_user):
    product = ProductFactory(risk_rating="R2")
    client.force_login(admin_user)
    data = admin_post_data(product, risk_rating="R3")
    response = client.post(reverse("admin:products_product_change", args=[product.pk]), data)
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="product_updated")
    assert entry.actor == admin_user
    assert entry.changes == [{"field": "risk_rating", "old": "R2", "new": "R3"}]


def test_an_admin_create_goes_through_the_service(client, admin_user, pm):
    template = ProductFactory.build(code="ADM-1", owner=pm)
    client.force_login(admin_user)
    channels = list(SalesChannel.objects.filter(code="branch").values_list("pk", flat=True))
    data = {**admin_post_data(template), "owner": pm.pk, "sales_channels": channels}
    response = client.post(reverse("admin:products_product_add"), data)
    assert response.status_code == 302, response.context_data["adminform"].form.errors
    product = Product.objects.get(code="ADM-1")
    assert list(product.sales_channels.values_list("pk", flat=True)) == channels
    assert AuditEntry.objects.get(action="product_created").object_id == str(product.pk)


def test_the_code_and_stage_are_read_only_in_the_admin(client, admin_user):
    product = ProductFactory(code="FIX-1")
    client.force_login(admin_user)
    data = admin_post_data(product, code="FIX-2", stage="operation")
    client.post(reverse("admin:products_product_change", args=[product.pk]), data)
    product.refresh_from_db()
    assert (product.code, product.stage) == ("FIX-1", "planning")


def test_products_cannot_be_deleted_in_the_admin(client, admin_user):
    product = ProductFactory()
    client.force_login(admin_user)
    response = client.post(reverse("admin:products_product_delete", args=[product.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Product.objects.filter(pk=product.pk).exists()


def test_a_sales_channel_used_by_products_cannot_be_deleted_in_the_admin(client, admin_user):
    product = ProductFactory()
    channel = SalesChannel.objects.get(code="branch")
    product.sales_channels.add(channel)
    client.force_login(admin_user)
    one = client.post(reverse("admin:products_saleschannel_delete", args=[channel.pk]), {"post": "yes"})
    assert one.status_code == 403
    assert SalesChannel.objects.filter(pk=channel.pk).exists() and channel in product.sales_channels.all()
    assert not AuditEntry.objects.filter(object_type="saleschannel").exists()


def test_a_sales_channel_is_deactivated_in_the_admin_with_an_audit_entry(client, admin_user):
    product = ProductFactory()
    channel = SalesChannel.objects.get(code="branch")
    product.sales_channels.add(channel)
    client.force_login(admin_user)
    client.post(reverse("admin:products_saleschannel_changelist"),
                {"action": "deactivate", "_selected_action": [channel.pk]})
    channel.refresh_from_db()
    assert not channel.is_active and channel in product.sales_channels.all()
    entry = AuditEntry.objects.get(action="sales_channel_deactivated")
    assert entry.actor == admin_user and entry.comment == "branch"
