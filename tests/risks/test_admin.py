"""The admin edits policy data through the service (audited); the register itself is read-only there."""
import pytest

from core.models import AuditEntry
from risks.models import Risk, RiskCategoryRequirement, RiskLevelMatrix
from tests.factories import UserFactory, make_risk

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root_r", role="administrator", is_staff=True, is_superuser=True))
    return client


def test_editing_a_matrix_cell_in_the_admin_is_audited_and_relevels_risks(admin_client, loan):
    risk = make_risk(loan, likelihood=2, impact=2, residual_likelihood=2, residual_impact=2)
    cell = RiskLevelMatrix.objects.get(likelihood=2, impact=2)
    response = admin_client.post(f"/admin/risks/risklevelmatrix/{cell.pk}/change/",
                                 {"likelihood": 2, "impact": 2, "level": "medium"})
    assert response.status_code == 302
    assert Risk.objects.get(pk=risk.pk).inherent_level == "medium"
    assert AuditEntry.objects.filter(action="risk_policy_changed", object_id=str(cell.pk)).exists()


def test_adding_a_launch_requirement_in_the_admin_is_audited(admin_client):
    response = admin_client.post("/admin/risks/riskcategoryrequirement/add/",
                                 {"product_category": "payment", "risk_category": "liquidity", "is_active": "on"})
    assert response.status_code == 302
    assert RiskCategoryRequirement.objects.filter(product_category="payment", risk_category="liquidity").exists()
    assert AuditEntry.objects.filter(action="risk_policy_changed").count() == 1


def test_risks_cannot_be_changed_in_the_admin(admin_client, loan):
    risk = make_risk(loan)
    response = admin_client.post(f"/admin/risks/risk/{risk.pk}/change/", {"title": "x"})
    assert response.status_code == 403
    assert Risk.objects.get(pk=risk.pk).title != "x"
