"""What the approval engine tells people: reviewers when their step opens or runs late, senior management when a
step is escalated, the submitter of each decision and the owner of the new stage (title, body and link)."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals import services as approval_services
from approvals.models import ApprovalStep
from notifications.models import Notification
from tests.factories import approve_all

pytestmark = pytest.mark.django_db


def test_a_reviewer_is_asked_to_decide_the_gate_by_their_steps_due_date(submitted, reviewers, product):
    step = submitted.steps.get(department="risk")
    note = Notification.objects.filter(recipient=reviewers["risk"]).latest("id")  # the gate to marketing
    assert note.title == f"待审批：{product.code} {submitted.get_process_display()}（风险管理部）"
    assert note.body == f"{product} 申请由「开发」进入「推广」，请在 {step.due_date} 前审批。"
    assert note.url == reverse("lifecycle:my_reviews")


def test_the_submitter_is_told_each_decision_with_its_department_and_comment(submitted, reviewers, owner, product):
    approval_services.approval_step_decide(review=submitted, department="risk", user=reviewers["risk"],
                                           decision="reject",
                                  comment="额度测算不足")
    note = Notification.objects.get(recipient=owner, title__contains="驳回")
    assert note.title == f"{product.code} {submitted.get_process_display()}：风险管理部 驳回"
    assert (note.body, note.url) == ("额度测算不足", product.get_absolute_url())


def test_the_owner_is_told_the_product_entered_its_new_stage(submitted, reviewers, owner, product):
    approve_all(submitted, reviewers)
    note = Notification.objects.get(recipient=owner, title__contains="推广")
    assert (note.title, note.url) == (f"{product.code} 已进入「推广」阶段", product.get_absolute_url())


def _overdue(review, department, days):
    ApprovalStep.objects.filter(review=review, department=department).update(
        due_date=timezone.localdate() - timedelta(days=days))
    approval_services.approval_steps_mark_overdue()
    return ApprovalStep.objects.get(review=review, department=department)


def test_a_late_steps_reviewers_are_reminded_of_the_passed_due_date(submitted, reviewers, product):
    step = _overdue(submitted, "risk", 1)
    note = Notification.objects.get(recipient=reviewers["risk"], title__contains="逾期")
    assert (note.title, note.body) == (f"审批逾期提醒：{product.code}（风险管理部）",
                                       f"截止日期 {step.due_date} 已过，请尽快审批。")
    assert note.url == reverse("lifecycle:my_reviews")


def test_an_escalated_step_tells_senior_management_which_department_is_late(submitted, reviewers, product):
    step = _overdue(submitted, "finance", 2)
    note = Notification.objects.get(recipient=reviewers["senior_management"], title__contains="逾期上报")
    assert (note.title, note.body) == (f"逾期上报：{product.code} 的财务部审批已逾期", f"截止日期 {step.due_date}。")
    assert note.url == product.get_absolute_url()
