"""core.roles: who submits a product's reviews (the README's roles table says the same)."""
import pytest

from core.roles import audit_can_read, product_can_submit
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_administrator_submits_only_for_products_they_own(admin_user, pm):
    assert not product_can_submit(user=admin_user, product=ProductFactory(owner=pm))
    assert product_can_submit(user=admin_user, product=ProductFactory(owner=admin_user))


def test_a_head_of_product_submits_for_any_product(head, pm):
    assert product_can_submit(user=head, product=ProductFactory(owner=pm))


def test_a_product_manager_submits_for_their_own_products_only(pm, other_pm):
    assert product_can_submit(user=pm, product=ProductFactory(owner=pm))
    assert not product_can_submit(user=pm, product=ProductFactory(owner=other_pm))


def test_reviewers_outside_risk_and_compliance_do_not_read_the_audit_trail():
    assert audit_can_read(UserFactory(role="reviewer", departments=["compliance"]))
    assert not audit_can_read(UserFactory(role="reviewer", departments=["legal"]))
