"""core.admin.AuditedPolicyAdmin: every policy admin saves and deletes through its audited service, validated."""
import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from approvals.models import GatePolicy
from complaints.models import ResponsePolicy
from core.admin import AuditedPolicyAdmin
from core.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_of_admin():
    request = RequestFactory().post("/admin/")
    request.user = UserFactory(role="administrator", is_superuser=True, is_staff=True)
    return request


def test_every_admin_that_saves_policy_data_through_a_service_uses_the_audited_base():
    # A policy admin's services audit the change; a hand-written save_model is where they drift apart.
    policy_admins = [model_admin for model, model_admin in admin.site._registry.items()
                     if model._meta.label in {"approvals.GatePolicy", "lifecycle.DeliverableTemplate",
                                              "exits.ExitNoticePolicy", "exits.ExitTaskTemplate",
                                              "risks.RiskLevelMatrix", "risks.RiskCategoryRequirement",
                                              "complaints.ResponsePolicy", "accounts.SecurityPolicy",
                                              "kpis.Metric", "kpis.Region", "kpis.Target", "webhooks.AllowedNetwork",
                                              "reports.PackSubscription", "sso.DirectoryRule",
                                              "reviews.CadencePolicy"}]
    assert len(policy_admins) == 15 and all(isinstance(a, AuditedPolicyAdmin) for a in policy_admins)


def test_a_policy_row_is_validated_in_full_before_its_service_saves_it(request_of_admin):
    policy = GatePolicy.objects.filter(department="legal").first()
    policy.due_working_days = -1  # a value no form field would let through, set behind the form's back
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        admin.site._registry[GatePolicy].save_model(request_of_admin, policy, form=None, change=True)
    policy.refresh_from_db()
    assert policy.due_working_days >= 0 and AuditEntry.objects.count() == audits


def test_an_admin_delete_goes_through_the_policy_service_audited(request_of_admin):
    policy = GatePolicy.objects.filter(department="legal").first()
    admin.site._registry[GatePolicy].delete_model(request_of_admin, policy)
    assert not GatePolicy.objects.filter(pk=policy.pk).exists()
    assert AuditEntry.objects.filter(action="policy_changed", from_value="删除").count() == 1


def test_a_policy_without_a_delete_service_cannot_be_deleted_in_the_admin(request_of_admin):
    assert not admin.site._registry[ResponsePolicy].has_delete_permission(request_of_admin)


def test_a_bulk_delete_through_a_one_row_service_deletes_each_row_audited(request_of_admin):
    from reports.models import PackSubscription

    rows = [PackSubscription.objects.create(kind="month", language=language, user=request_of_admin.user)
            for language in ("zh-hans", "en")]
    admin.site._registry[PackSubscription].delete_queryset(request_of_admin, PackSubscription.objects.all())
    assert not PackSubscription.objects.filter(pk__in=[row.pk for row in rows]).exists()
    assert AuditEntry.objects.filter(action="pack_subscription_deleted").count() == 2
