"""core.roles: who may do what (docs/hardening.md's roles table says the same), each predicate and filter on the users
it grants and the users it never reaches."""
import pytest
from django.contrib.auth.models import AnonymousUser

from core.audit import audit_record
from core.models import AuditEntry
from core.roles import (
    audit_can_read,
    audit_visible_filter,
    can_manage_products,
    can_oversee,
    can_own_products,
    can_review,
    department_members,
    four_eyes_allows,
    in_department,
    is_administrator,
    is_portfolio_manager,
    is_product_manager,
    is_senior_management,
    product_can_edit,
    product_can_submit,
    products_editable_filter,
)
from products.models import Product
from requirements.models import Requirement
from tests.factories import ProductFactory, RequirementFactory, UserFactory

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


# --- The role predicates: each role that holds the right, and the users it never reaches ----------------------------

@pytest.mark.parametrize("role", ["product_manager", "head_of_product", "administrator"])
def test_product_managers_heads_of_product_and_administrators_manage_products(role):
    assert can_manage_products(UserFactory(role=role))


@pytest.mark.parametrize("role", ["reviewer", "senior_management"])
def test_reviewers_and_senior_management_do_not_manage_products(role):
    assert not can_manage_products(UserFactory(role=role))


def test_a_deactivated_product_manager_no_longer_manages_products():
    assert not can_manage_products(UserFactory(role="product_manager", is_active=False))


def test_an_anonymous_visitor_manages_no_products():
    assert not can_manage_products(AnonymousUser())


@pytest.mark.parametrize("role", ["head_of_product", "administrator"])
def test_heads_of_product_and_administrators_are_portfolio_managers(role):
    assert is_portfolio_manager(UserFactory(role=role))


def test_a_product_manager_is_not_a_portfolio_manager(pm):
    assert not is_portfolio_manager(pm)


def test_an_administrator_is_an_administrator_while_active():
    assert is_administrator(UserFactory(role="administrator"))
    assert not is_administrator(UserFactory(role="administrator", is_active=False))


def test_a_head_of_product_is_not_an_administrator(head):
    assert not is_administrator(head)


def test_senior_management_is_told_apart_from_a_product_manager(executive, pm):
    assert is_senior_management(executive)
    assert not is_senior_management(pm)


def test_a_head_of_product_is_not_a_product_manager(pm, head):
    assert is_product_manager(pm)
    assert not is_product_manager(head)


@pytest.mark.parametrize("role", ["reviewer", "senior_management", "administrator"])
def test_reviewers_senior_management_and_administrators_have_a_review_queue(role):
    assert can_review(UserFactory(role=role))


def test_a_product_manager_has_no_review_queue(pm):
    assert not can_review(pm)


def test_a_reviewer_cannot_own_products(reviewer, pm):
    assert can_own_products(pm)
    assert not can_own_products(reviewer)


def test_an_anonymous_visitor_submits_no_review(pm):
    assert not product_can_submit(user=AnonymousUser(), product=ProductFactory(owner=pm))


def test_a_product_manager_edits_their_own_product_only(pm, other_pm):
    assert product_can_edit(user=pm, product=ProductFactory(owner=pm))
    assert not product_can_edit(user=pm, product=ProductFactory(owner=other_pm))


def test_a_head_of_product_edits_a_product_someone_else_owns(head, pm):
    assert product_can_edit(user=head, product=ProductFactory(owner=pm))


def test_a_reviewer_edits_no_product_not_even_one_they_are_recorded_as_owning(reviewer):
    assert not product_can_edit(user=reviewer, product=ProductFactory(owner=reviewer))


def test_the_editable_filter_gives_a_product_manager_their_own_products(pm, other_pm):
    mine = ProductFactory(owner=pm)
    ProductFactory(owner=other_pm)
    assert list(Product.objects.filter(products_editable_filter(user=pm))) == [mine]


def test_the_editable_filter_gives_a_head_of_product_every_product(head, pm, other_pm):
    products = {ProductFactory(owner=pm), ProductFactory(owner=other_pm)}
    assert set(Product.objects.filter(products_editable_filter(user=head))) == products


def test_the_editable_filter_gives_a_reviewer_no_product(reviewer):
    ProductFactory(owner=reviewer)
    assert not Product.objects.filter(products_editable_filter(user=reviewer)).exists()


def test_the_editable_filter_reaches_products_through_a_prefix(pm, other_pm):
    mine = RequirementFactory(product=ProductFactory(owner=pm))
    RequirementFactory(product=ProductFactory(owner=other_pm))
    assert list(Requirement.objects.filter(products_editable_filter(user=pm, prefix="product__"))) == [mine]


@pytest.mark.parametrize("user", ["head", "admin_user", "executive"])
def test_heads_of_product_administrators_and_senior_management_oversee(request, user):
    assert can_oversee(request.getfixturevalue(user))


@pytest.mark.parametrize("department", ["risk", "compliance"])
def test_the_risk_and_compliance_departments_oversee(department):
    assert can_oversee(UserFactory(role="reviewer", departments=[department]))


def test_a_product_manager_does_not_oversee(pm):
    assert not can_oversee(pm)


def test_an_anonymous_visitor_does_not_oversee():
    assert not can_oversee(AnonymousUser())


# --- Four-eyes and departments -------------------------------------------------------------------------------------

def test_four_eyes_refuses_a_maker_and_ignores_missing_makers(pm, other_pm):
    assert not four_eyes_allows(user=pm, makers=[None, pm.pk])
    assert four_eyes_allows(user=pm, makers=[None, other_pm.pk])


def test_in_department_is_membership_of_that_department(reviewer):
    assert in_department(user=reviewer, department="risk")
    assert not in_department(user=reviewer, department="legal")


def test_department_members_are_the_active_members_of_that_department_only():
    member = UserFactory(role="reviewer", departments=["risk"])
    UserFactory(role="reviewer", departments=["risk"], is_active=False)
    UserFactory(role="reviewer", departments=["legal"])
    UserFactory(role="reviewer")
    assert list(department_members(department="risk")) == [member]


def test_department_members_leave_the_makers_out_and_ignore_a_missing_maker():
    maker = UserFactory(role="reviewer", departments=["risk"])
    checker = UserFactory(role="reviewer", departments=["risk"])
    assert list(department_members(department="risk", exclude=[maker.pk, None])) == [checker]


# --- The audit trail -----------------------------------------------------------------------------------------------

def test_a_product_manager_reads_the_audit_trail(pm):
    assert audit_can_read(pm)


@pytest.fixture
def entries(pm, other_pm):
    mine, theirs = ProductFactory(owner=pm), ProductFactory(owner=other_pm)
    return {"mine": audit_record(action="product_updated", actor=pm, product=mine, obj=mine),
            "theirs": audit_record(action="product_updated", actor=other_pm, product=theirs, obj=theirs),
            "policy": audit_record(action="policy_changed", actor=None)}


def visible(user):
    return set(AuditEntry.objects.filter(audit_visible_filter(user=user)))


def test_an_overseer_sees_every_audit_entry(entries, reviewer):
    assert visible(reviewer) == set(entries.values())


def test_a_product_manager_sees_the_entries_of_their_own_products_only(entries, pm):
    assert visible(pm) == {entries["mine"]}


def test_a_reviewer_outside_the_control_functions_sees_no_audit_entry(entries):
    assert visible(UserFactory(role="reviewer", departments=["legal"])) == set()
