"""The periodic_review process through the real engine: the pack goes to the reviewers when the manager submits it,
policy rows route it, four-eyes holds, each outcome sets its follow-up in motion and the next due date follows."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from approvals import services as engine
from approvals.models import Condition
from changes import services as change_services
from changes.models import Change
from core.errors import DomainConflict
from exits.models import ExitPlan
from reviews import services

from .conftest import PRICE_VALUE, decide_all, opened, operating, submitted

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_the_pack_goes_to_risk_and_compliance_when_the_manager_submits_it(product):
    review = submitted(opened(product))
    assert review.status == "in_review"
    departments = sorted(review.gate_review.steps.values_list("department", flat=True))
    assert departments == ["compliance", "risk"]
    assert review.gate_review.submitted_by == product.owner


@pytest.mark.parametrize("rating", ["R4", "R5"])
def test_senior_management_decides_too_from_r4_after_the_others(owner, rating):
    review = submitted(opened(operating(owner, rating=rating)))
    steps = set(review.gate_review.steps.values_list("department", "position"))
    assert steps == {("risk", 1), ("compliance", 1), ("senior_management", 2)}


def test_the_snapshot_is_the_pack_with_the_managers_price_and_value(product):
    review = submitted(opened(product))
    snapshot = review.gate_review.snapshot
    assert snapshot["price_value"]["conclusion"] == PRICE_VALUE["conclusion"]
    assert {"kpi_trend", "complaints_summary", "market_fit", "open_risks", "open_alerts",
            "since_last_review", "periodic_review"} <= set(snapshot)


def test_the_pack_is_not_submitted_without_the_price_and_value_assessment(product):
    review = services.review_prepare(user=product.owner, review=opened(product), data={"price_paid": "年费"})
    with pytest.raises(DomainConflict) as refused:
        services.review_submit(user=product.owner, review=review)
    assert refused.value.code == "price_value_missing"


def test_another_product_manager_may_not_prepare_the_pack(product):
    from tests.factories import UserFactory

    with pytest.raises(PermissionDenied):
        services.review_prepare(user=UserFactory(username="pm_z"), review=opened(product), data=PRICE_VALUE)


def test_four_eyes_keeps_the_owner_from_deciding(product, reviewers):
    from accounts.models import Department

    product.owner.departments.add(Department.objects.get(code="risk"))
    review = submitted(opened(product))
    with pytest.raises(PermissionDenied):
        engine.approval_step_decide(review=review.gate_review, department="risk",
                                    user=type(product.owner).objects.get(pk=product.owner_id), decision="approve",
                                    outcome="keep")


def test_whoever_wrote_the_assessment_never_decides_it(product, reviewers, head):
    from accounts.models import Department

    head.departments.add(Department.objects.get(code="compliance"))
    review = services.review_prepare(user=head, review=opened(product), data=PRICE_VALUE)
    review = services.review_submit(user=product.owner, review=review)
    with pytest.raises(PermissionDenied):
        engine.approval_step_decide(review=review.gate_review, department="compliance",
                                    user=type(head).objects.get(pk=head.pk), decision="approve", outcome="keep")


def test_keep_decides_the_review_and_the_next_due_date_follows_the_cadence(product, reviewers):
    review = decide_all(submitted(opened(product)), reviewers, "keep")
    assert (review.status, review.outcome) == ("decided", "keep")
    assert review.next_due == services.add_months(TODAY(), 12)
    assert services.next_review_due(product=product) == services.add_months(TODAY(), 12)


def test_remediate_keeps_its_actions_as_conditions_and_the_next_review_comes_sooner(product, reviewers, owner):
    due = (TODAY() + dt.timedelta(days=30)).isoformat()
    actions = [{"action": "整改提前还款费用披露", "owner": owner.pk, "due": due}]
    review = decide_all(submitted(opened(product)), reviewers, "remediate", conditions=actions)
    assert review.outcome == "remediate"
    assert review.next_due == services.add_months(TODAY(), 6)
    condition = Condition.objects.get(review=review.gate_review)
    assert (condition.action, condition.owner, condition.status) == ("整改提前还款费用披露", owner, "open")


def test_remediate_without_an_action_is_refused(product, reviewers):
    review = submitted(opened(product))
    with pytest.raises(ValidationError):
        decide_all(review, reviewers, "remediate")
    review.refresh_from_db()
    assert review.status == "in_review"


def test_the_most_cautious_outcome_prevails(product, reviewers):
    review = submitted(opened(product))
    gate = review.gate_review
    engine.approval_step_decide(review=gate, department="risk", user=reviewers["risk"], decision="approve",
                                outcome="exit")
    engine.approval_step_decide(review=gate, department="compliance", user=reviewers["compliance"],
                                decision="approve", outcome="keep")
    review.refresh_from_db()
    assert review.outcome == "exit"


def test_change_opens_a_draft_terms_change_linked_to_the_review(product, reviewers):
    change_services.terms_version_initial_ensure(product=product)
    review = decide_all(submitted(opened(product)), reviewers, "change")
    change = Change.objects.get(product=product)
    assert review.change == change
    assert (change.status, change.created_by, change.terms) == ("draft", product.owner, {})


def test_the_draft_change_cannot_go_to_review_before_its_terms_are_written(product, reviewers):
    review = decide_all(submitted(opened(product)), reviewers, "change")
    with pytest.raises(ValidationError):
        change_services.change_submit(user=product.owner, change=review.change)


def test_change_links_the_running_change_instead_of_opening_a_second(product, reviewers):
    change_services.terms_version_initial_ensure(product=product)
    running = change_services.change_create(user=product.owner, product=product, data={
        "summary": "年费下调", "reason": "competitor", "terms": {"fee": "80"}, "requirements": [],
        "pilot": False, "effective_from": None})
    review = decide_all(submitted(opened(product)), reviewers, "change")
    assert review.change == running and Change.objects.filter(product=product).count() == 1


def test_exit_opens_a_draft_exit_plan_linked_to_the_review(product, reviewers):
    review = decide_all(submitted(opened(product)), reviewers, "exit")
    plan = ExitPlan.objects.get(product=product)
    assert review.exit_plan == plan
    assert review.next_due == services.add_months(TODAY(), 6)


def test_a_rejection_returns_the_pack_to_the_manager_who_submits_it_again(product, reviewers):
    review = submitted(opened(product))
    engine.approval_step_decide(review=review.gate_review, department="risk", user=reviewers["risk"],
                                decision="reject", comment="请补充同业比较")
    review.refresh_from_db()
    assert review.status == "preparing"
    review = services.review_prepare(user=product.owner, review=review, data={"comparison": "补充四家同业比较"})
    review = services.review_submit(user=product.owner, review=review)
    assert review.status == "in_review"
    assert review.gate_review.snapshot["price_value"]["comparison"] == "补充四家同业比较"


def test_a_periodic_review_runs_beside_a_terms_change_of_the_product(product, reviewers):
    review = submitted(opened(product))
    change_services.terms_version_initial_ensure(product=product)
    change = change_services.change_create(user=product.owner, product=product, data={
        "summary": "年费下调", "reason": "competitor", "terms": {"fee": "80"}, "requirements": [],
        "pilot": False, "effective_from": None})
    change = change_services.change_submit(user=product.owner, change=change)
    assert change.review.status == "pending" and review.gate_review.status == "pending"
