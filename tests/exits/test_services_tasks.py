"""Aftercare tasks: created from the templates, done or waived (with a reason), overdue owners reminded."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from core.errors import DomainConflict
from core.models import AuditEntry
from exits import services
from exits.models import ExitTask, ExitTaskTemplate
from notifications.models import Notification
from tests.factories import UserFactory
from tests.helpers import assert_unchanged

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def task_of(product, code):
    return ExitTask.objects.get(plan__product=product, template__code=code)


def test_tasks_come_from_the_default_templates_owned_by_the_product_owner(retiring):
    tasks = ExitTask.objects.filter(plan__product=retiring)
    assert set(tasks.values_list("template__code", flat=True)) == {
        "notify_customers", "migrate_holders", "settle_balances", "close_accounts", "archive_documents",
        "monitor_complaints"}
    assert set(tasks.values_list("owner", flat=True)) == {retiring.owner_id}


def test_task_due_dates_are_relative_to_the_plans_dates(retiring):
    plan = retiring.exit_plan
    assert task_of(retiring, "notify_customers").due_date == plan.notice_date
    assert task_of(retiring, "monitor_complaints").due_date == plan.close_date + dt.timedelta(days=90)


def test_creating_tasks_again_adds_only_missing_ones(retiring):
    ExitTaskTemplate.objects.create(code="extra", title="额外任务", anchor="close_date", offset_days=1, position=9)
    assert services.exit_tasks_ensure(plan=retiring.exit_plan) == 1
    assert services.exit_tasks_ensure(plan=retiring.exit_plan) == 0


def test_creating_tasks_is_audited_once_on_the_plan_with_their_number(retiring):
    entry = AuditEntry.objects.get(action="exit_tasks_created")
    assert (entry.product, entry.object_id, entry.to_value) == (retiring, str(retiring.exit_plan.pk), "6")


def test_inactive_templates_create_no_task(product, requirement):
    from .conftest import save_plan

    ExitTaskTemplate.objects.exclude(code="notify_customers").update(is_active=False)
    plan = save_plan(product, requirement)
    services.exit_tasks_ensure(plan=plan)
    assert list(plan.tasks.values_list("template__code", flat=True)) == ["notify_customers"]


def test_owner_marks_a_task_done_and_it_is_audited(retiring):
    task = services.exit_task_update(user=retiring.owner, task=task_of(retiring, "notify_customers"), status="done")
    assert task.status == "done" and task.completed_by == retiring.owner
    entry = AuditEntry.objects.filter(action="exit_task_done").get()
    assert (entry.from_value, entry.to_value, entry.object_id) == ("open", "done", str(task.pk))


def test_waiver_needs_a_reason(retiring):
    task = task_of(retiring, "archive_documents")
    with pytest.raises(ValidationError) as caught:
        services.exit_task_update(user=retiring.owner, task=task, status="waived", reason="  ")
    assert "reason" in caught.value.message_dict
    task.refresh_from_db()
    assert task.status == "open"


def test_waiver_with_a_reason_is_kept_and_audited(retiring, reviewers):
    task = services.exit_task_update(user=reviewers["compliance"], task=task_of(retiring, "archive_documents"),
                                     status="waived", reason="资料已统一归档")
    assert (task.status, task.reason) == ("waived", "资料已统一归档")
    assert "资料已统一归档" in AuditEntry.objects.get(action="exit_task_waived").comment


def test_finished_task_cannot_be_changed_again(retiring):
    task = services.exit_task_update(user=retiring.owner, task=task_of(retiring, "close_accounts"), status="done")
    with pytest.raises(DomainConflict) as caught:
        services.exit_task_update(user=retiring.owner, task=task, status="waived", reason="x")
    assert caught.value.code == "exit_task_closed"


def test_status_must_be_done_or_waived(retiring):
    with pytest.raises(ValidationError):
        services.exit_task_update(user=retiring.owner, task=task_of(retiring, "close_accounts"), status="open")


def test_an_unknown_status_is_refused_on_the_status_field_and_changes_nothing(retiring):
    with assert_unchanged(ExitTask, AuditEntry), pytest.raises(ValidationError) as caught:
        services.exit_task_update(user=retiring.owner, task=task_of(retiring, "close_accounts"), status="cancelled")
    assert list(caught.value.message_dict) == ["status"]


def test_another_product_manager_may_not_change_a_task(retiring):
    with pytest.raises(PermissionDenied):
        services.exit_task_update(user=UserFactory(username="other_exit_pm"),
                                  task=task_of(retiring, "close_accounts"), status="done")


def test_task_owner_who_is_not_the_product_owner_may_finish_it(retiring):
    delegate = UserFactory(username="ops_clerk", role="reviewer")
    ExitTask.objects.filter(plan__product=retiring, template__code="close_accounts").update(owner=delegate)
    assert services.exit_task_update(user=delegate, task=task_of(retiring, "close_accounts"),
                                     status="done").status == "done"


def test_tasks_of_a_retired_product_are_locked(retiring):
    type(retiring).objects.filter(pk=retiring.pk).update(stage="retired")
    with pytest.raises(DomainConflict):
        services.exit_task_update(user=retiring.owner, task=task_of(retiring, "close_accounts"), status="done")


def test_overdue_tasks_remind_their_owner_once(retiring):
    ExitTask.objects.filter(plan__product=retiring, template__code="notify_customers").update(
        due_date=TODAY - dt.timedelta(days=2))
    assert services.exit_tasks_remind_overdue() == 1
    assert services.exit_tasks_remind_overdue() == 0
    note = Notification.objects.get(recipient=retiring.owner)
    assert retiring.code in note.title
    assert AuditEntry.objects.filter(action="exit_task_overdue").count() == 1


def test_an_overdue_task_is_audited_on_its_product_with_its_due_date(retiring):
    task = task_of(retiring, "notify_customers")
    ExitTask.objects.filter(pk=task.pk).update(due_date=TODAY - dt.timedelta(days=2))
    services.exit_tasks_remind_overdue()
    entry = AuditEntry.objects.get(action="exit_task_overdue")
    assert (entry.product, entry.object_id, entry.to_value) == (retiring, str(task.pk),
                                                                 str(TODAY - dt.timedelta(days=2)))


def test_the_overdue_reminder_reads_in_its_recipients_language(retiring):
    ExitTask.objects.filter(plan__product=retiring, template__code="notify_customers").update(
        due_date=TODAY - dt.timedelta(days=2))
    services.exit_tasks_remind_overdue()
    note = Notification.objects.get(recipient=retiring.owner)
    with translation.override("en"):
        assert note.display_title.startswith(f"Aftercare task overdue: {retiring.code} ")
        assert note.display_body == f"The due date {TODAY - dt.timedelta(days=2)} has passed; please handle it soon."


def test_tasks_due_today_or_finished_are_not_overdue(retiring):
    ExitTask.objects.filter(plan__product=retiring, template__code="notify_customers").update(due_date=TODAY)
    task = task_of(retiring, "migrate_holders")
    ExitTask.objects.filter(pk=task.pk).update(due_date=TODAY - dt.timedelta(days=5))
    services.exit_task_update(user=retiring.owner, task=task, status="done")
    assert services.exit_tasks_remind_overdue() == 0


def test_daily_beat_runs_the_reminders(retiring):
    from bankpm.settings.beat import BEAT_SCHEDULE
    from exits.tasks import remind_overdue_exit_tasks

    assert BEAT_SCHEDULE["exits-remind-overdue-tasks"]["task"] == "exits.tasks.remind_overdue_exit_tasks"
    ExitTask.objects.filter(plan__product=retiring).update(due_date=TODAY - dt.timedelta(days=1))
    assert remind_overdue_exit_tasks.apply().get() == 6
