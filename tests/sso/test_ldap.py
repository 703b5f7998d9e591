"""LDAP sign-on against a real slapd: roles and departments from the directory rules, re-read at every login and
request; a user dropped from the groups loses access at once and the steps nobody is left to decide escalate."""
import pytest
from django.contrib.auth import get_user_model

from accounts.models import Department
from approvals.models import ApprovalStep
from core.models import AuditEntry
from lifecycle import services as lifecycle
from sso.choices import Provider
from sso.ldap_settings import ldap_settings
from sso.models import DirectoryIdentity, DirectoryRule
from tests.factories import ProductFactory, UserFactory, complete_deliverables
from tests.sso.ldap_server import GROUPS, PASSWORD, PEOPLE

pytestmark = pytest.mark.django_db
User = get_user_model()


class Env(dict):
    def __call__(self, name, default=None):
        return self.get(name, default)

    def bool(self, name, default=False):
        return self.get(name, default)


@pytest.fixture
def ldap_on(settings, directory):
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "sso.backends.DirectoryLDAPBackend"]
    settings.AUTH_LDAP_SERVER_URI = directory.uri
    for name, value in ldap_settings(Env(AUTH_LDAP_USER_BASE=PEOPLE, AUTH_LDAP_GROUP_BASE=GROUPS,
                                         AUTH_LDAP_BIND_DN="cn=admin,dc=bank,dc=example",
                                         AUTH_LDAP_BIND_PASSWORD="root-secret")).items():
        setattr(settings, name, value)
    return directory


def rule(group, role="", departments=(), priority=100):
    created = DirectoryRule.objects.create(provider=Provider.LDAP, group=f"cn={group},{GROUPS}", role=role,
                                           priority=priority)
    created.departments.set(Department.objects.filter(code__in=departments))
    return created


@pytest.fixture
def rules(db):
    return [rule("risk-reviewers", "reviewer", ["risk"], priority=200), rule("product-managers", "product_manager",
                                                                              ["product"]), rule("staff")]


def sign_in(client, username, password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def test_a_directory_user_signs_in_with_the_role_and_departments_of_their_groups(client, ldap_on, rules):
    response = sign_in(client, "alice")
    assert response.status_code == 302, response.content
    alice = User.objects.get(username="alice")
    assert (alice.role, alice.department_codes, alice.email) == ("reviewer", {"risk"}, "alice@bank.example")
    assert not alice.has_usable_password()
    assert DirectoryIdentity.objects.get(user=alice).subject == "uid=alice,ou=people,dc=bank,dc=example"
    assert AuditEntry.objects.filter(action="directory_membership_synced", object_id=str(alice.pk)).exists()
    assert client.get("/").status_code in (200, 302)


def test_a_wrong_directory_password_is_refused(client, ldap_on, rules):
    assert sign_in(client, "alice", "wrong").status_code == 200
    assert not User.objects.filter(username="alice").exists()


def test_a_directory_user_no_rule_gives_a_role_cannot_sign_in(client, ldap_on, rules):
    assert sign_in(client, "carol").status_code == 200
    assert not User.objects.get(username="carol").is_active


def test_memberships_follow_the_directory_at_every_login(client, ldap_on, rules):
    sign_in(client, "bob")
    client.logout()
    ldap_on.set_member("risk-reviewers", "bob", True)
    try:
        sign_in(client, "bob")
    finally:
        ldap_on.set_member("risk-reviewers", "bob", False)
    bob = User.objects.get(username="bob")
    assert (bob.role, bob.department_codes) == ("reviewer", {"risk", "product"})


def test_a_user_dropped_from_the_groups_loses_access_at_the_next_request_and_their_steps_escalate(
        client, ldap_on, rules):
    product = ProductFactory(category="credit_card", risk_rating="R3")
    complete_deliverables(product)
    review = lifecycle.gate_review_submit(product=product, user=product.owner)
    step = review.steps.filter(status="pending").order_by("id").first()
    DirectoryRule.objects.get(group__startswith="cn=risk-reviewers").departments.set(
        Department.objects.filter(code=step.department))
    UserFactory(username="exec", role="senior_management", departments=["senior_management"])
    assert sign_in(client, "dora").status_code == 302
    assert client.get("/notifications/").status_code == 200
    ldap_on.set_member("risk-reviewers", "dora", False)
    try:
        response = client.get("/notifications/")
    finally:
        ldap_on.set_member("risk-reviewers", "dora", True)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/notifications/").status_code == 302  # signed out
    dora = User.objects.get(username="dora")
    assert not dora.is_active and dora.department_codes == set()
    assert ApprovalStep.objects.get(pk=step.pk).escalated_at is not None
    assert AuditEntry.objects.filter(action="step_escalated", object_id=str(step.pk)).exists()
    assert AuditEntry.objects.filter(action="directory_access_revoked", object_id=str(dora.pk)).exists()


def test_with_local_passwords_off_only_break_glass_administrators_sign_in_locally(client, settings, ldap_on, rules):
    settings.BANKPM_LOCAL_PASSWORDS = False
    settings.BANKPM_BREAK_GLASS_USERS = ["breakglass"]
    UserFactory(username="local_pm")
    UserFactory(username="breakglass", role="administrator")
    assert sign_in(client, "local_pm", "test-pass-123").status_code == 200
    assert sign_in(client, "breakglass", "test-pass-123").status_code == 302
    client.logout()
    assert sign_in(client, "alice").status_code == 302  # the directory still signs people in


def test_a_recheck_that_finds_nothing_new_writes_nothing(client, ldap_on, rules):
    sign_in(client, "alice")
    identity = DirectoryIdentity.objects.get(user__username="alice")
    entries = AuditEntry.objects.count()
    assert client.get("/notifications/").status_code == 200
    assert client.get("/notifications/").status_code == 200
    assert AuditEntry.objects.count() == entries
    assert DirectoryIdentity.objects.get(pk=identity.pk).checked_at == identity.checked_at


def test_the_periodic_recheck_revokes_api_access_of_users_dropped_from_the_groups(client, ldap_on, rules):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from sso.tasks import recheck_ldap_users

    sign_in(client, "dora")
    token = Token.objects.create(user=User.objects.get(username="dora"))
    ldap_on.set_member("risk-reviewers", "dora", False)
    try:
        assert recheck_ldap_users() == 1
    finally:
        ldap_on.set_member("risk-reviewers", "dora", True)
    response = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 401
