"""A change's co-editors are makers: whoever edited the draft never decides its review."""
import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from approvals import services as approval_services
from approvals.models import ApprovalStep
from changes import services
from tests.changes.conftest import change_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_risk(db):
    return UserFactory(username="adm_coeditor", role="administrator", is_superuser=True, is_staff=True,
                       departments=["risk"])


def test_an_admin_who_patched_the_draft_cannot_decide_its_risk_step(launched, reviewers, admin_risk):
    change = services.change_create(user=launched.owner, product=launched, data=change_data())
    client = APIClient()
    client.force_authenticate(admin_risk)
    response = client.patch(f"/api/v1/changes/{change.pk}/",
                            {"terms": {"fee": "9.99", "target_market": "everyone"}}, format="json")
    assert response.status_code == 200, response.content
    change = services.change_submit(user=launched.owner, change=type(change).objects.get(pk=change.pk))
    with pytest.raises(PermissionDenied):
        approval_services.approval_step_decide(review=change.review, department="risk", user=admin_risk,
                                                decision="approve", comment="同意")
    assert ApprovalStep.objects.get(review=change.review, department="risk").status == "pending"
    assert admin_risk not in approval_services.department_reviewers(review=change.review, department="risk")
