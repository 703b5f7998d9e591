"""User administration: role, department and active-flag changes are audited with the diff."""
import pytest
from django.core.exceptions import PermissionDenied

from accounts import services
from accounts.models import Department, User
from core.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_role_change_is_audited_with_the_diff(admin_user):
    user = UserFactory(role="product_manager", username="u1")
    user.role = "head_of_product"
    services.user_save(actor=admin_user, user=user)
    entry = AuditEntry.objects.get(action="user_updated")
    assert (entry.actor, entry.object_type, entry.object_id) == (admin_user, "user", str(user.pk))
    assert entry.changes == [{"field": "role", "old": "product_manager", "new": "head_of_product"}]


def test_a_department_change_records_the_old_and_new_departments(admin_user):
    user = UserFactory(role="reviewer", username="u2", departments=["risk"])
    risk, legal = Department.objects.get(code="risk"), Department.objects.get(code="legal")
    services.user_save(actor=admin_user, user=user, departments=[legal])
    entry = AuditEntry.objects.get(action="user_updated")
    assert entry.changes == [{"field": "departments", "old": [risk.pk], "new": [legal.pk]}]
    assert user.department_codes == frozenset({"legal"})


def test_deactivating_a_user_is_audited(admin_user):
    user = UserFactory(username="u3")
    user.is_active = False
    services.user_save(actor=admin_user, user=user)
    assert AuditEntry.objects.get(action="user_updated").changes == [
        {"field": "is_active", "old": True, "new": False}]


def test_a_save_without_changes_writes_no_entry(admin_user):
    user = UserFactory(username="u4")
    services.user_save(actor=admin_user, user=user)
    assert not AuditEntry.objects.exists()


def test_a_new_user_is_audited_with_its_role(admin_user):
    user = User(username="u5", role="reviewer")
    services.user_save(actor=admin_user, user=user)
    entry = AuditEntry.objects.get(action="user_created")
    assert {"field": "role", "old": None, "new": "reviewer"} in entry.changes


def test_only_administrators_manage_users(head):
    user = UserFactory(username="u6")
    user.role = "administrator"
    with pytest.raises(PermissionDenied):
        services.user_save(actor=head, user=user)
    assert User.objects.get(pk=user.pk).role != "administrator"
