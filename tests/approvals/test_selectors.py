"""The reviewer's queue (`steps_waiting_for`) leaves out the steps of reviews the reviewer shaped: the process's
whole maker set, recorded on the review, not only its submitter and the product's owner."""
import pytest

from approvals.selectors import steps_waiting_for
from risks import services as risk_services
from risks.models import Risk
from tests.factories import ProductFactory, UserFactory, make_risk, reviewer_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_risk(db):
    product = ProductFactory(code="LN-Q", category="loan")
    return make_risk(product, likelihood=4, impact=4, residual_likelihood=3, residual_impact=4)


def test_a_senior_manager_who_edited_the_risk_does_not_find_its_acceptance_in_his_queue(pending_risk):
    editor = UserFactory(username="exec_editor_q", role="senior_management",
                         departments=["senior_management", "risk"])
    other = reviewer_for("senior_management", "exec_other_q")
    risk_services.risk_update(user=editor, risk=Risk.objects.get(pk=pending_risk.pk),
                              data={"description": "补充成因"})
    assert not steps_waiting_for(user=editor).exists()
    assert [s.review.subject_id for s in steps_waiting_for(user=other)] == [pending_risk.pk]

