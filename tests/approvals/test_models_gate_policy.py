"""GatePolicy.clean: the product department submits gates and can never be made one of their approvers, in the
model and in the admin (the only place policy rows are written by hand), where a refusal audits nothing."""
import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse

from approvals.models import GatePolicy
from core.models import AuditEntry
from tests.helpers import assert_unchanged, login

pytestmark = pytest.mark.django_db


def test_a_rule_naming_the_product_department_as_approver_is_refused():
    with pytest.raises(ValidationError) as error:
        GatePolicy(department="product", due_working_days=3, escalation_days=2).full_clean()
    assert "department" in error.value.message_dict


def test_a_rule_naming_a_reviewing_department_is_valid():
    GatePolicy(department="legal", category="loan", due_working_days=3, escalation_days=2).full_clean()


def policy_form(**overrides):
    """The admin form's fields, from a new rule's defaults (so that fields added to the model are sent too)."""
    values = model_to_dict(GatePolicy(**{"department": "product", **overrides}))
    values.pop("id", None)
    return {name: ("on" if value is True else "" if value in (None, False) else value)
            for name, value in values.items() if value is not False}


def test_the_admin_refuses_adding_a_product_department_rule_and_audits_nothing(client, admin_user):
    with assert_unchanged(GatePolicy, AuditEntry):
        response = login(client, admin_user).post(reverse("admin:approvals_gatepolicy_add"), policy_form())
    assert response.status_code == 200
    assert "department" in response.context["adminform"].form.errors


def test_the_admin_refuses_turning_a_rule_into_a_product_department_rule(client, admin_user):
    rule = GatePolicy.objects.get(department="legal", category="loan")
    with assert_unchanged(GatePolicy, AuditEntry):
        response = login(client, admin_user).post(reverse("admin:approvals_gatepolicy_change", args=[rule.pk]),
                                                  policy_form(category="loan"))
    assert response.status_code == 200
    assert "department" in response.context["adminform"].form.errors


def test_the_admin_adds_a_valid_rule_and_audits_it(client, admin_user):
    response = login(client, admin_user).post(reverse("admin:approvals_gatepolicy_add"),
                                              policy_form(department="legal", category="credit_card"))
    assert response.status_code == 302
    rule = GatePolicy.objects.get(department="legal", category="credit_card")
    entry = AuditEntry.objects.get(action="policy_changed")
    assert (entry.actor, entry.object_id) == (admin_user, str(rule.pk))
