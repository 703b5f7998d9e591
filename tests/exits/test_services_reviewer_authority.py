"""Retirement with customers left: lowering a segment below the plan as approved and waiving an aftercare task are
a reviewer's of the exit process, audited; the manager alone may not."""
import pytest
from django.core.exceptions import PermissionDenied

from core.models import AuditEntry
from exits import services
from exits.models import ExitSegment, ExitTask
from tests.exits.conftest import plan_input

pytestmark = pytest.mark.django_db


def _segments(network: int, mobile: int) -> list[dict]:
    return [{"name": "网点客户", "customers": network}, {"name": "手机银行客户", "customers": mobile}]


def test_the_manager_cannot_lower_a_segment_below_the_approved_plan(retiring, requirement):
    with pytest.raises(PermissionDenied):
        services.exit_plan_save(user=retiring.owner, product=retiring,
                                data=plan_input(requirement, segments=_segments(0, 50)))
    assert dict(ExitSegment.objects.values_list("name", "customers")) == {"网点客户": 100, "手机银行客户": 50}
    assert not AuditEntry.objects.filter(action="exit_segments_lowered").exists()


def test_the_manager_may_still_raise_a_segment(retiring, requirement):
    services.exit_plan_save(user=retiring.owner, product=retiring,
                            data=plan_input(requirement, segments=_segments(120, 50)))
    assert ExitSegment.objects.get(name="网点客户").customers == 120


def test_a_reviewer_of_the_exit_process_lowers_a_segment_audited(retiring, requirement, reviewers):
    services.exit_plan_save(user=reviewers["compliance"], product=retiring,
                            data=plan_input(requirement, segments=_segments(80, 50)))
    assert ExitSegment.objects.get(name="网点客户").customers == 80
    entry = AuditEntry.objects.get(action="exit_segments_lowered")
    assert (entry.actor, entry.comment) == (reviewers["compliance"], "网点客户: 100 → 80")


def test_the_manager_cannot_waive_an_aftercare_task(retiring):
    task = ExitTask.objects.filter(plan__product=retiring).order_by("id").first()
    with pytest.raises(PermissionDenied):
        services.exit_task_update(user=retiring.owner, task=task, status="waived", reason="n/a")
    task.refresh_from_db()
    assert task.status == "open" and not AuditEntry.objects.filter(action="exit_task_waived").exists()


def test_a_reviewer_of_another_process_department_cannot_waive(retiring, make_user):
    outsider = make_user(username="prod_x", role="reviewer", departments=["product"])
    task = ExitTask.objects.filter(plan__product=retiring).order_by("id").first()
    with pytest.raises(PermissionDenied):
        services.exit_task_update(user=outsider, task=task, status="waived", reason="n/a")


def test_a_reviewer_of_the_exit_process_waives_a_task_audited(retiring, reviewers):
    task = ExitTask.objects.filter(plan__product=retiring).order_by("id").first()
    task = services.exit_task_update(user=reviewers["risk"], task=task, status="waived", reason="监管同意")
    assert (task.status, task.completed_by) == ("waived", reviewers["risk"])
    assert AuditEntry.objects.get(action="exit_task_waived").actor == reviewers["risk"]


def test_an_exit_reviewer_changes_nothing_but_the_segments(retiring, requirement, reviewers):
    with pytest.raises(PermissionDenied):
        services.exit_plan_save(user=reviewers["compliance"], product=retiring,
                                data=plan_input(requirement, reason="改写原因", segments=_segments(80, 50)))
    assert ExitSegment.objects.get(name="网点客户").customers == 100
