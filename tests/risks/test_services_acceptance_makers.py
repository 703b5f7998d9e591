"""Risk acceptance four-eyes with history: the registrant and every owner since the last acceptance never accept;
removing every control after acceptance asks for acceptance again."""
import pytest
from django.core.exceptions import PermissionDenied

from core.models import AuditEntry
from risks import services
from risks.models import Risk
from tests.factories import UserFactory, make_risk

pytestmark = pytest.mark.django_db


def test_a_former_owner_in_senior_management_cannot_accept_after_the_manager_took_the_risk_over(loan, executive):
    risk = make_risk(loan, likelihood=4, impact=4, residual_likelihood=3, residual_impact=4, owner=executive)
    assert risk.status == "pending_acceptance"
    services.risk_update(user=loan.owner, risk=risk, data={"owner": loan.owner})
    with pytest.raises(PermissionDenied):
        services.risk_accept(user=executive, risk=risk, comment="同意")
    assert Risk.objects.get(pk=risk.pk).status == "pending_acceptance"


def test_a_senior_manager_who_registered_a_critical_risk_cannot_accept_it(loan):
    registrar = UserFactory(username="exec_reg", role="senior_management", departments=["senior_management", "risk"])
    risk = make_risk(loan, user=registrar, likelihood=5, impact=5, residual_likelihood=4, residual_impact=5,
                     owner=loan.owner)
    assert (risk.residual_level, risk.status) == ("critical", "pending_acceptance")
    with pytest.raises(PermissionDenied):
        services.risk_accept(user=registrar, risk=risk, comment="同意")
    assert Risk.objects.get(pk=risk.pk).accepted_by is None


def test_another_senior_manager_still_accepts(loan, executive):
    other = UserFactory(username="exec_other", role="senior_management", departments=["senior_management"])
    risk = make_risk(loan, likelihood=4, impact=4, residual_likelihood=3, residual_impact=4, owner=executive)
    services.risk_update(user=loan.owner, risk=risk, data={"owner": loan.owner})
    assert services.risk_accept(user=other, risk=risk, comment="同意").status == "accepted"


def test_removing_every_control_after_acceptance_asks_for_acceptance_again_audited(loan, executive):
    risk = make_risk(loan, likelihood=4, impact=4, residual_likelihood=3, residual_impact=4)
    assert risk.controls.count() == 1
    services.risk_accept(user=executive, risk=risk, comment="控制有效")
    services.risk_update(user=loan.owner, risk=risk, data={"response": "accept"}, controls=[])
    risk = Risk.objects.get(pk=risk.pk)
    assert (risk.status, risk.accepted_by) == ("pending_acceptance", None)
    entry = AuditEntry.objects.filter(action="risk_updated", object_id=str(risk.pk)).latest("id")
    assert (entry.from_value, entry.to_value) == ("accepted", "pending_acceptance")
