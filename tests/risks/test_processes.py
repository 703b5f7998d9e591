"""Risk acceptance on the approval engine: the review it opens, who may decide it, delegation, overdue and
escalation, refusal, withdrawal when the risk changes, and its lock beside a product's stage gate."""
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from core.models import AuditEntry
from lifecycle import services as engine_services
from lifecycle.delegations import delegation_create
from lifecycle.models import ApprovalStep, GateReview
from lifecycle.selectors import steps_waiting_for
from notifications.models import Notification
from risks import services
from risks.models import Risk
from tests.factories import ProductFactory, UserFactory, complete_deliverables, make_risk, reviewer_for
from tests.helpers import assert_unchanged

pytestmark = pytest.mark.django_db


def high(product, **overrides):
    return make_risk(product, **{"likelihood": 4, "impact": 4, "residual_likelihood": 3, "residual_impact": 4,
                                 **overrides})


def acceptance(risk):
    return GateReview.objects.get(process="risk_acceptance", subject_id=risk.pk, status="pending")


def test_a_high_residual_risk_opens_an_acceptance_review_for_senior_management(loan, executive):
    review = acceptance(high(loan))
    assert list(review.steps.values_list("department", "status")) == [("senior_management", "pending")]
    assert review.snapshot["risk"]["residual"][3] == "high"


def test_the_acceptance_waits_in_the_senior_managers_queue(loan, executive):
    risk = high(loan)
    assert [s.review.subject_id for s in steps_waiting_for(user=executive)] == [risk.pk]


def test_senior_management_is_told_of_the_acceptance_with_the_residual_level(loan, executive):
    high(loan)
    note = Notification.objects.get(recipient=executive, title_code__startswith="待审批")
    assert "剩余风险等级为高" in note.display_body


def test_whoever_edited_the_risk_since_its_last_acceptance_never_accepts_it(loan, owner):
    editor = UserFactory(username="exec_editor", role="senior_management",
                         departments=["senior_management", "risk"])
    risk = high(loan)
    services.risk_update(user=editor, risk=risk, data={"description": "补充成因"})
    risk = Risk.objects.get(pk=risk.pk)
    with assert_unchanged(Risk, ApprovalStep), pytest.raises(PermissionDenied):
        services.risk_accept(user=editor, risk=risk, comment="自己接受")


def test_an_edit_while_pending_withdraws_the_review_and_asks_again_on_the_new_assessment(loan, owner, executive):
    risk = high(loan)
    first = acceptance(risk)
    services.risk_update(user=owner, risk=risk, data={"residual_likelihood": 4})
    assert GateReview.objects.get(pk=first.pk).status == "withdrawn"
    second = acceptance(risk)
    assert second.pk != first.pk and second.snapshot["risk"]["residual"][:2] == [4, 4]
    assert AuditEntry.objects.filter(action="review_withdrawn", object_id=str(first.pk)).exists()


def test_a_closed_pending_risk_withdraws_its_acceptance(loan, owner, executive):
    risk = high(loan)
    review = acceptance(risk)
    services.risk_close(user=owner, risk=risk, reason="产品方案取消")
    assert GateReview.objects.get(pk=review.pk).status == "withdrawn"
    assert not ApprovalStep.objects.filter(review=review, status="pending").exists()


def test_a_settled_reassessment_withdraws_the_acceptance_without_a_new_one(loan, owner, executive):
    risk = high(loan)
    review = acceptance(risk)
    services.risk_review(user=owner, risk=risk, likelihood=4, impact=4, residual_likelihood=1, residual_impact=2,
                         comment="增加担保后降为低")
    assert GateReview.objects.get(pk=review.pk).status == "withdrawn"
    assert not GateReview.objects.filter(process="risk_acceptance", subject_id=risk.pk, status="pending").exists()


def test_refusing_the_acceptance_sends_the_risk_back_for_treatment_audited(loan, executive):
    risk = high(loan)
    engine_services.approval_step_decide(review=acceptance(risk), department="senior_management", user=executive,
                                         decision="reject", comment="超出风险偏好，须增加担保")
    risk = Risk.objects.get(pk=risk.pk)
    assert (risk.status, risk.accepted_by) == ("needs_review", None)
    entry = AuditEntry.objects.get(action="risk_acceptance_refused", object_id=str(risk.pk))
    assert (entry.actor, entry.comment) == (executive, "超出风险偏好，须增加担保")


def test_a_delegate_accepts_for_an_absent_senior_manager_recorded_as_such(loan, executive):
    substitute = reviewer_for("senior_management", username="exec_sub")
    today = date.today()
    delegation_create(user=executive, delegate=substitute, starts_on=today, ends_on=today + timedelta(days=3))
    risk = high(loan)
    step = engine_services.approval_step_decide(review=acceptance(risk), department="senior_management",
                                                user=substitute, decision="approve", comment="代为接受",
                                                on_behalf_of=executive)
    assert (step.decided_by, step.on_behalf_of) == (substitute, executive)
    assert Risk.objects.get(pk=risk.pk).accepted_by == substitute


def test_an_overdue_acceptance_is_flagged_and_escalated_once(loan, executive):
    risk = high(loan)
    step = acceptance(risk).steps.get()
    late = step.due_date + timedelta(days=step.escalation_days)
    assert engine_services.approval_steps_mark_overdue(today=late) == {"marked": 1, "escalated": 1}
    assert engine_services.approval_steps_mark_overdue(today=late) == {"marked": 0, "escalated": 0}
    assert AuditEntry.objects.filter(action="step_escalated", object_id=str(step.pk)).count() == 1


def test_a_pending_acceptance_does_not_block_the_products_stage_gate(db):
    product = ProductFactory(code="LN-LOCK", category="loan", stage="development")
    high(product)
    complete_deliverables(product)
    review = engine_services.gate_review_submit(product=product, user=product.owner, to_stage="marketing")
    assert review.status == "pending"
    assert GateReview.objects.filter(product=product, status="pending").count() == 2


def test_an_open_stage_gate_does_not_keep_a_risk_from_being_put_up(db):
    product = ProductFactory(code="LN-LOCK2", category="loan", stage="development")
    complete_deliverables(product)
    engine_services.gate_review_submit(product=product, user=product.owner, to_stage="marketing")
    risk = high(product)
    assert acceptance(risk).status == "pending"


def test_two_risks_of_one_product_wait_for_acceptance_side_by_side(loan, executive):
    first, second = high(loan, title="甲"), high(loan, title="乙")
    assert {acceptance(first).pk, acceptance(second).pk} == set(
        GateReview.objects.filter(process="risk_acceptance", status="pending").values_list("pk", flat=True))


def test_the_seeded_policy_has_senior_management_decide_risk_acceptance(db):
    from lifecycle.models import GatePolicy

    assert GatePolicy.objects.filter(process="risk_acceptance", department="senior_management",
                                     is_active=True).exists()
