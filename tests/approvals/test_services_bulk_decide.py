"""Deciding several steps at once: each its own decision, audit entry and rules; a refusal names its step only."""
import pytest

from approvals import services as approval_services
from approvals.models import ApprovalStep
from core.models import AuditEntry
from lifecycle import services
from tests.factories import ProductFactory, UserFactory, complete_deliverables
from tests.lifecycle.conftest import advance_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_reviews(submitted, reviewers):
    other = ProductFactory(owner=UserFactory(username="owner_two"), category="credit_card", risk_rating="R3")
    advance_to(other, "development", reviewers)
    complete_deliverables(other)
    return submitted, services.gate_review_submit(product=other, user=other.owner)


def finance_steps(reviews):
    return list(ApprovalStep.objects.filter(review__in=reviews, department="finance").order_by("id"))


def test_one_comment_decides_every_selected_step_each_with_its_own_audit_entry(two_reviews, reviewers):
    steps = finance_steps(two_reviews)
    before = AuditEntry.objects.filter(action="step_approved").count()
    decided, refused = approval_services.approval_steps_decide_bulk(steps=steps, user=reviewers["finance"],
                                                                    decision="approve",
                                                           comment="批量同意")
    assert (len(decided), refused) == (2, [])
    assert AuditEntry.objects.filter(action="step_approved").count() == before + 2
    assert set(ApprovalStep.objects.filter(pk__in=[s.pk for s in steps]).values_list("comment", flat=True)) == {
        "批量同意"}


def test_a_refused_step_is_named_and_the_others_go_through(two_reviews, reviewers):
    steps = finance_steps(two_reviews)
    approval_services.approval_step_decide(review=steps[0].review, department="finance", user=reviewers["finance"],
                                  decision="approve")
    decided, refused = approval_services.approval_steps_decide_bulk(steps=steps, user=reviewers["finance"],
                                                                    decision="approve")
    assert [s.pk for s in decided] == [steps[1].pk]
    assert [(s.pk, "已有决定" in message) for s, message in refused] == [(steps[0].pk, True)]


def test_a_reviewer_of_another_department_gets_every_step_refused(two_reviews, reviewers):
    decided, refused = approval_services.approval_steps_decide_bulk(steps=finance_steps(two_reviews),
                                                                    user=reviewers["legal"],
                                                           decision="approve")
    assert decided == [] and len(refused) == 2
    assert not ApprovalStep.objects.filter(department="finance", status="approved").exists()


def test_bulk_rejection_without_a_comment_changes_nothing(two_reviews, reviewers):
    decided, refused = approval_services.approval_steps_decide_bulk(steps=finance_steps(two_reviews),
                                                           user=reviewers["finance"], decision="reject")
    assert decided == [] and all("意见" in message for _s, message in refused)
