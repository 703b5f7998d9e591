from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from approvals import tasks
from approvals.models import ApprovalStep
from core.models import AuditEntry

pytestmark = pytest.mark.django_db


def age_step(review, department, days):
    ApprovalStep.objects.filter(review=review, department=department).update(
        due_date=timezone.localdate() - timedelta(days=days))


def test_beat_runs_mark_overdue_steps_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["lifecycle-mark-overdue-steps"]
    assert entry["task"] == "lifecycle.tasks.mark_overdue_steps"
    assert entry["schedule"].hour == {7}


def test_overdue_step_is_flagged_and_its_reviewers_reminded(submitted, reviewers):
    age_step(submitted, "risk", 1)
    result = tasks.mark_overdue_steps.delay().get()
    assert result == {"marked": 1, "escalated": 0}
    assert ApprovalStep.objects.get(review=submitted, department="risk").overdue
    assert not ApprovalStep.objects.get(review=submitted, department="finance").overdue
    assert reviewers["risk"].notifications.filter(title__contains="逾期提醒").count() == 1


def test_an_overdue_step_is_audited_with_its_department(submitted):
    age_step(submitted, "risk", 1)
    tasks.mark_overdue_steps.delay().get()
    entry = AuditEntry.objects.get(action="step_overdue")
    assert (entry.product, entry.object_type, entry.to_value) == (submitted.product, "approvalstep", "risk")


def test_step_overdue_beyond_escalation_days_goes_to_senior_management(submitted, reviewers):
    age_step(submitted, "finance", 2)  # policy default: escalate 2 days after the due date
    assert tasks.mark_overdue_steps.delay().get() == {"marked": 1, "escalated": 1}
    assert reviewers["senior_management"].notifications.filter(title__contains="逾期上报").count() == 1
    assert AuditEntry.objects.filter(action="step_escalated").count() == 1


def test_an_escalation_is_audited_on_the_step_it_escalates(submitted, reviewers):
    age_step(submitted, "finance", 2)
    tasks.mark_overdue_steps.delay().get()
    entry = AuditEntry.objects.get(action="step_escalated")
    step = ApprovalStep.objects.get(review=submitted, department="finance")
    assert (entry.product, entry.object_type, entry.object_id) == (submitted.product, "approvalstep", str(step.pk))


def test_rerunning_the_task_reminds_and_escalates_once(submitted, reviewers):
    age_step(submitted, "finance", 5)
    tasks.mark_overdue_steps.delay().get()
    assert tasks.mark_overdue_steps.delay().get() == {"marked": 0, "escalated": 0}
    assert reviewers["finance"].notifications.filter(title__contains="逾期提醒").count() == 1


def test_steps_not_yet_due_are_left_alone(submitted):
    assert tasks.mark_overdue_steps.delay().get() == {"marked": 0, "escalated": 0}
