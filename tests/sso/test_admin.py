"""The directory rules' admin: saved through sso.services (audited), departments included."""
import pytest
from django.urls import reverse

from accounts.models import Department
from core.models import AuditEntry
from sso.models import DirectoryRule
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_rule_added_in_the_admin_is_saved_with_its_departments_and_audited(client):
    client.force_login(UserFactory(role="administrator", is_superuser=True, is_staff=True))
    risk = Department.objects.get(code="risk")
    response = client.post(reverse("admin:sso_directoryrule_add"), {
        "provider": "oidc", "group": "bankpm-risk", "role": "reviewer", "departments": [risk.pk], "priority": 100,
        "is_active": "on"})
    assert response.status_code == 302
    rule = DirectoryRule.objects.get(group="bankpm-risk")
    assert list(rule.departments.all()) == [risk]
    assert AuditEntry.objects.filter(action="directory_rule_changed", comment="risk").exists()
