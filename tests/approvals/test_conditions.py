"""Approve with conditions: open action items that block the product's next gate and a change's rollout until
done (with evidence) or waived by the deciding department; every step audited, reminders and escalation."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from approvals import conditions
from approvals import services as approval_services
from approvals.models import ApprovalStep, Condition
from core.errors import DomainConflict, FieldValidationError
from core.models import AuditEntry
from lifecycle import services
from notifications.models import Notification
from products.models import Product
from tests.factories import approve_all, complete_deliverables
from tests.helpers import api, assert_unchanged

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _with_condition(review, reviewers, owner, due=None):
    """Approve every step; risk attaches one condition owned by the product's owner."""
    for step in review.steps.order_by("position", "id"):
        step = ApprovalStep.objects.get(pk=step.pk)
        if step.status == "waiting":
            step = ApprovalStep.objects.get(pk=step.pk)
        extra = {"conditions": [{"action": "上线后 30 天内补充压力测试报告", "owner": owner.pk,
                                 "due": (due or TODAY + dt.timedelta(days=30)).isoformat()}]} \
            if step.department == "risk" else {}
        approval_services.approval_step_decide(review=review, department=step.department,
                                               user=reviewers[step.department],
                                      decision="approve", comment="同意", **extra)
    return Condition.objects.get(review=review)


@pytest.fixture
def conditioned(submitted, reviewers, owner):
    return _with_condition(submitted, reviewers, owner)


def test_an_approving_decision_with_conditions_creates_open_items_audited(conditioned, owner):
    assert (conditioned.status, conditioned.owner, conditioned.department) == ("open", owner, "risk")
    assert AuditEntry.objects.filter(action="condition_set", object_id=str(conditioned.pk)).count() == 1
    assert Notification.objects.filter(recipient=owner, title__contains="审批条件待落实").exists()


def test_a_rejection_carries_no_conditions(submitted, reviewers, owner):
    with assert_unchanged(Condition, ApprovalStep), pytest.raises(ValidationError):
        approval_services.approval_step_decide(review=submitted, department="risk", user=reviewers["risk"],
                                      decision="reject", comment="不同意", conditions=[
                                          {"action": "x", "owner": owner.pk, "due": TODAY.isoformat()}])


def test_a_condition_due_in_the_past_is_refused_at_its_index(submitted, reviewers, owner):
    with assert_unchanged(Condition, ApprovalStep), pytest.raises(FieldValidationError) as error:
        approval_services.approval_step_decide(review=submitted, department="risk", user=reviewers["risk"],
                                      decision="approve", conditions=[
                                          {"action": "x", "owner": owner.pk, "due": "2020-01-01"}])
    assert set(error.value.errors["conditions"]["0"]) == {"due"}


def test_open_conditions_block_the_next_gate_with_409_listing_them(conditioned, owner):
    product = Product.objects.get(pk=conditioned.product_id)
    assert product.stage == "marketing"
    complete_deliverables(product)
    response = api(owner).post(f"/api/v1/products/{product.pk}/gate-reviews/", {}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conditions_open" and [c["id"] for c in body["conditions"]] == [conditioned.pk]


def test_a_done_condition_unblocks_the_next_gate(conditioned, owner):
    conditions.condition_complete(user=owner, condition=conditioned, comment="报告已提交风险部")
    product = Product.objects.get(pk=conditioned.product_id)
    complete_deliverables(product)
    assert services.gate_review_submit(product=product, user=owner).status == "pending"
    assert AuditEntry.objects.get(action="condition_done").comment == "报告已提交风险部"


def test_only_the_deciding_department_waives_with_a_reason(conditioned, reviewers):
    with pytest.raises(PermissionDenied):
        conditions.condition_waive(user=reviewers["finance"], condition=conditioned, reason="不需要")
    with pytest.raises(FieldValidationError):
        conditions.condition_waive(user=reviewers["risk"], condition=conditioned, reason=" ")
    waived = conditions.condition_waive(user=reviewers["risk"], condition=conditioned, reason="已由监管豁免")
    assert (waived.status, waived.waiver_reason, waived.closed_by) == ("waived", "已由监管豁免", reviewers["risk"])
    with pytest.raises(DomainConflict):
        conditions.condition_waive(user=reviewers["risk"], condition=conditioned, reason="再次")


def test_the_api_lists_by_owner_and_status_and_records_done(conditioned, owner, reviewers):
    client = api(owner)
    listed = client.get(f"/api/v1/conditions/?owner={owner.pk}&status=open&product={conditioned.product_id}")
    assert [c["id"] for c in listed.json()["results"]] == [conditioned.pk]
    assert client.post(f"/api/v1/conditions/{conditioned.pk}/done/", {}, format="json").status_code == 400
    response = client.post(f"/api/v1/conditions/{conditioned.pk}/done/", {"comment": "已完成"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "done"
    assert client.get("/api/v1/conditions/?status=open").json()["count"] == 0


def test_the_api_decision_takes_conditions(submitted, reviewers, owner):
    response = api(reviewers["risk"]).post(f"/api/v1/gate-reviews/{submitted.pk}/decisions/", {
        "department": "risk", "decision": "approve", "comment": "附条件同意",
        "conditions": [{"action": "补充压力测试", "owner": owner.pk, "due": TODAY.isoformat()}]}, format="json")
    assert response.status_code == 201, response.content
    assert Condition.objects.get().action == "补充压力测试"


def test_reminders_before_due_and_escalation_when_overdue_happen_once(submitted, reviewers, owner):
    condition = _with_condition(submitted, reviewers, owner, due=TODAY + dt.timedelta(days=2))
    assert conditions.conditions_remind(today=TODAY) == {"reminded": 1, "escalated": 0}
    assert conditions.conditions_remind(today=TODAY + dt.timedelta(days=3)) == {"reminded": 0, "escalated": 1}
    assert conditions.conditions_remind(today=TODAY + dt.timedelta(days=4)) == {"reminded": 0, "escalated": 0}
    assert AuditEntry.objects.filter(action="condition_overdue", object_id=str(condition.pk)).count() == 1
    assert Notification.objects.filter(recipient=reviewers["risk"], title__contains="审批条件逾期").exists()


def test_approving_with_conditions_in_the_last_step_still_moves_the_product(submitted, reviewers, owner):
    approve_all(submitted, reviewers)
    assert Product.objects.get(pk=submitted.product_id).stage == "marketing"


def test_the_product_page_lists_conditions_and_the_owner_records_one_done(client, conditioned, owner):
    product = Product.objects.get(pk=conditioned.product_id)
    client.force_login(owner)
    page = client.get(product.get_absolute_url()).content.decode()
    row = page.split(f'data-condition="{conditioned.pk}"')[1].split("</tr>")[0]
    assert "压力测试报告" in row and 'data-action="done"' in row and 'data-action="waive"' not in row
    client.post(f"/lifecycle/conditions/{conditioned.pk}/", {"action": "done", "text": "报告已提交"})
    assert Condition.objects.get(pk=conditioned.pk).status == "done"
