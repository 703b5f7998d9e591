"""The user admin saves through accounts.services: role, department and active changes are audited. API tokens in
the admin: revoked, never minted or shown, so nobody acts through the API as someone else."""
import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.models import Department, User
from core.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def change_data(user, **changes):
    data = {"username": user.username, "first_name": user.first_name, "last_name": user.last_name,
            "email": user.email, "role": user.role, "is_active": "on",
            "departments": list(user.departments.values_list("pk", flat=True)),
            "last_login_0": "", "last_login_1": "", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_role_and_department_change_in_the_admin_is_one_audited_entry(client, admin_user):
    user = UserFactory(username="staff1", role="reviewer", departments=["risk"])
    legal = Department.objects.get(code="legal")
    client.force_login(admin_user)
    response = client.post(reverse("admin:accounts_user_change", args=[user.pk]),
                           change_data(user, role="senior_management", departments=[legal.pk]))
    assert response.status_code == 302, response.context_data["adminform"].form.errors
    entry = AuditEntry.objects.get(action="user_updated")
    assert entry.actor == admin_user
    assert [c["field"] for c in entry.changes] == ["role", "departments"]
    assert User.objects.get(pk=user.pk).department_codes == frozenset({"legal"})


def test_deactivating_a_user_in_the_admin_is_audited(client, admin_user):
    user = UserFactory(username="staff2")
    client.force_login(admin_user)
    client.post(reverse("admin:accounts_user_change", args=[user.pk]), change_data(user, is_active=None))
    assert AuditEntry.objects.get(action="user_updated").changes == [
        {"field": "is_active", "old": True, "new": False}]


def test_a_user_added_in_the_admin_is_audited(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("admin:accounts_user_add"), {
        "username": "newbie", "password1": "a-Long-pass-123", "password2": "a-Long-pass-123",
        "usable_password": "true"})
    assert response.status_code == 302
    assert AuditEntry.objects.get(action="user_created").object_id == str(User.objects.get(username="newbie").pk)


def test_users_cannot_be_deleted_in_the_admin(client, admin_user):
    user = UserFactory(username="staff3")
    client.force_login(admin_user)
    assert client.post(reverse("admin:accounts_user_delete", args=[user.pk]), {"post": "yes"}).status_code == 403


def test_the_admin_cannot_create_a_token_for_a_user(client, admin_user, pm):
    client.force_login(admin_user)
    url = reverse("admin:accounts_apitoken_add")
    assert client.get(url).status_code == 403
    assert client.post(url, {"user": pm.pk}).status_code == 403
    assert not Token.objects.filter(user=pm).exists()


def test_the_admin_list_does_not_show_a_tokens_key(client, admin_user, pm):
    token = Token.objects.create(user=pm)
    client.force_login(admin_user)
    html = client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    assert pm.username in html and token.key not in html


def test_the_admin_can_revoke_a_token(client, admin_user, pm):
    Token.objects.create(user=pm)
    client.force_login(admin_user)
    client.post(reverse("admin:accounts_apitoken_delete", args=[pm.pk]), {"post": "yes"})  # keyed by user
    assert not Token.objects.filter(user=pm).exists()


def test_a_tokens_page_names_it_by_owner_and_prefix_only(client, admin_user, pm):
    token = Token.objects.create(user=pm)
    client.force_login(admin_user)
    html = client.get(reverse("admin:accounts_apitoken_change", args=[pm.pk])).content.decode()
    assert f"{token.key[:4]}…" in html and token.key not in html


def test_a_token_revoked_in_the_admin_is_audited_by_prefix(client, admin_user, pm):
    token = Token.objects.create(user=pm)
    client.force_login(admin_user)
    client.post(reverse("admin:accounts_apitoken_delete", args=[pm.pk]), {"post": "yes"})
    entry = AuditEntry.objects.get(action="token_revoked")
    assert entry.actor == admin_user and entry.from_value == f"{token.key[:4]}…"
    assert token.key not in str(entry.__dict__)


def test_a_password_set_in_the_admin_is_audited_and_revokes_the_users_tokens(client, admin_user, pm):
    Token.objects.create(user=pm)
    client.force_login(admin_user)
    response = client.post(reverse("admin:auth_user_password_change", args=[pm.pk]),
                           {"password1": "N3w-passw0rd!x", "password2": "N3w-passw0rd!x", "usable_password": "true"})
    pm.refresh_from_db()
    assert response.status_code == 302 and pm.check_password("N3w-passw0rd!x")
    assert AuditEntry.objects.get(action="password_changed").actor == admin_user
    assert not Token.objects.filter(user=pm).exists()


def test_deactivating_a_user_in_the_admin_revokes_their_tokens(client, admin_user, pm):
    Token.objects.create(user=pm)
    client.force_login(admin_user)
    client.post(reverse("admin:accounts_user_change", args=[pm.pk]), change_data(pm, is_active=None))
    pm.refresh_from_db()
    assert not pm.is_active and not Token.objects.filter(user=pm).exists()
    assert AuditEntry.objects.filter(action="token_revoked").count() == 1


def test_the_security_policy_is_saved_in_the_admin_with_an_audited_diff(client, admin_user):
    from accounts.models import SecurityPolicy

    client.force_login(admin_user)
    response = client.post(reverse("admin:accounts_securitypolicy_add"),
                           {"session_idle_minutes": 15, "token_lifetime_days": 7})
    assert response.status_code == 302
    assert SecurityPolicy.current().session_idle_minutes == 15
    entry = AuditEntry.objects.get(action="security_policy_updated")
    assert {"field": "session_idle_minutes", "old": 30, "new": 15} in entry.changes
