"""The stage gate with the exit runbook: preconditions, the reviewers' snapshot, tasks on entering retirement."""
import pytest
from django.core.exceptions import ValidationError

from approvals.models import GateReview
from approvals.services import approval_step_decide
from exits.models import ExitTask
from lifecycle.services import gate_review_submit
from tests.factories import complete_deliverables, exit_finish

from .conftest import day, save_plan

pytestmark = pytest.mark.django_db


def submit(product):
    complete_deliverables(product)
    return gate_review_submit(product=product, user=product.owner)


def approve_all(review, reviewers):
    for step in review.steps.order_by("position", "id"):
        approval_step_decide(review=review, department=step.department, user=reviewers[step.department],
                             decision="approve", comment="同意")


def refusal(product) -> dict:
    with pytest.raises(ValidationError) as caught:
        submit(product)
    return caught.value.message_dict


def test_retirement_without_a_plan_is_refused_with_exit_plan(product):
    assert list(refusal(product)) == ["exit_plan"]
    assert not GateReview.objects.exists()


def test_retirement_with_an_incomplete_plan_lists_what_is_missing(product):
    save_plan(product, reason="")
    messages = refusal(product)["exit_plan"]
    assert len(messages) == 2  # no reason, no evidence


def test_complete_plan_opens_the_exit_review_and_its_snapshot_shows_the_plan(product, requirement, successor):
    save_plan(product, requirement, successor=successor.code)
    review = submit(product)
    section = review.snapshot["exit_plan"]
    assert section["successor"] == "DEP-NEXT"
    assert [s["name"] for s in section["segments"]] == ["网点客户", "手机银行客户"]
    assert section["evidence_items"][0]["label"] == requirement.title


def test_gates_before_the_exit_carry_no_plan_in_their_snapshot(owner):
    from tests.factories import ProductFactory

    review = submit(ProductFactory(owner=owner))
    assert review.snapshot["exit_plan"] is None


def test_entering_retirement_creates_the_aftercare_tasks(product, requirement, reviewers):
    save_plan(product, requirement)
    assert not ExitTask.objects.exists()
    approve_all(submit(product), reviewers)
    product.refresh_from_db()
    assert product.stage == "retirement"
    assert ExitTask.objects.filter(plan__product=product).count() == 6


def test_retired_is_refused_naming_each_segment_with_customers_and_each_open_task(retiring):
    from exits import services

    services.exit_progress_record(user=retiring.owner, product=retiring, items=[
        {"segment": "网点客户", "date": day(0), "migrated": 100, "closed": 0},
        {"segment": "手机银行客户", "date": day(0), "migrated": 40, "closed": 5}])
    messages = refusal(retiring)
    assert list(messages) == ["exit"]
    assert any("手机银行客户" in m and "5" in m for m in messages["exit"])
    assert not any("网点客户" in m for m in messages["exit"])
    assert sum("善后任务" in m for m in messages["exit"]) == 6


def test_waived_and_done_tasks_and_no_customers_left_let_the_product_retire(retiring, reviewers):
    from exits import services

    waived = ExitTask.objects.filter(plan__product=retiring, template__code="monitor_complaints").get()
    services.exit_task_update(user=reviewers["compliance"], task=waived, status="waived", reason="监管同意免于监测")
    exit_finish(retiring)
    approve_all(submit(retiring), reviewers)
    retiring.refresh_from_db()
    assert retiring.stage == "retired"


def test_retirement_product_without_a_plan_cannot_retire(owner):
    from tests.factories import ProductFactory

    product = ProductFactory(owner=owner, stage="retirement")
    assert "exit" in refusal(product)
