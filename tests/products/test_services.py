"""Product create and edit write the audit chain, with the field-by-field diff, in the same transaction."""
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.audit import audit_verify
from core.models import AuditEntry
from products import services
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(db):
    return UserFactory(role="head_of_product")


def test_creating_a_product_is_audited_with_its_initial_values(pm):
    product = services.product_create(user=pm, data={"code": "DP-900", "name": "新存款", "category": "deposit",
                                                     "risk_rating": "R1", "customer_segment": "mass_market"})
    entry = AuditEntry.objects.get(action="product_created")
    assert (entry.actor, entry.product, entry.object_id) == (pm, product, str(product.pk))
    assert {"field": "risk_rating", "old": None, "new": "R1"} in entry.changes


def test_an_edit_is_audited_with_before_and_after_of_each_changed_field(head):
    product = ProductFactory(risk_rating="R2", fee=Decimal("1.50"))
    services.product_update(user=head, product=product, data={"risk_rating": "R3", "fee": Decimal("2.00"),
                                                                "name": product.name})
    entry = AuditEntry.objects.get(action="product_updated")
    assert entry.actor == head and entry.product == product
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


def test_a_channel_change_is_in_the_diff(head):
    from products.models import SalesChannel

    product = ProductFactory()
    product.sales_channels.set(SalesChannel.objects.filter(code="branch"))
    channels = list(SalesChannel.objects.filter(code__in=["branch", "mobile_banking"]))
    services.product_update(user=head, product=product, data={"sales_channels": channels})
    change = AuditEntry.objects.get(action="product_updated").changes[0]
    assert change["field"] == "sales_channels" and sorted(change["new"]) == sorted(c.pk for c in channels)
