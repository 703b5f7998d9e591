"""Senior management decides last: its step opens only once every other department has approved."""
import pytest
from django.urls import reverse

from approvals import services as approval_services
from approvals.choices import ApprovalError
from approvals.exceptions import GateConflict
from approvals.models import ApprovalStep, GateReview
from core.models import AuditEntry
from lifecycle.models import Deliverable
from notifications.models import Notification
from products.models import Product
from tests.helpers import api, assert_unchanged, login

pytestmark = pytest.mark.django_db
GOVERNED = (Product, GateReview, ApprovalStep, Deliverable, AuditEntry, Notification)
OTHERS = ["risk", "compliance", "finance", "technology"]  # the development → marketing gate of `submitted`


def approve(review, reviewers, *departments):
    for department in departments:
        approval_services.approval_step_decide(review=review, department=department, user=reviewers[department],
                                      decision="approve", comment="同意")


def senior_status(review):
    return review.steps.get(department="senior_management").status


def senior_asked(reviewers):
    """How often senior management has been asked to review (the earlier planning gate asked once already)."""
    return reviewers["senior_management"].notifications.filter(title__contains="待审批").count()


@pytest.mark.parametrize("approved", [1, 2, 3])
def test_senior_step_stays_waiting_while_any_other_department_has_not_approved(submitted, reviewers, approved):
    asked = senior_asked(reviewers)
    approve(submitted, reviewers, *OTHERS[:approved])
    assert senior_status(submitted) == "waiting"
    assert senior_asked(reviewers) == asked


def test_senior_decision_after_one_of_several_approvals_is_refused_and_changes_nothing(submitted, reviewers):
    approve(submitted, reviewers, "risk")
    with assert_unchanged(*GOVERNED), pytest.raises(GateConflict) as error:
        approval_services.approval_step_decide(review=submitted, department="senior_management",
                                      user=reviewers["senior_management"], decision="approve", comment="同意")
    assert error.value.code == ApprovalError.STEP_NOT_OPEN


def test_senior_decision_over_the_api_after_one_approval_is_409_and_changes_nothing(submitted, reviewers):
    approve(submitted, reviewers, "risk", "compliance")
    with assert_unchanged(*GOVERNED):
        response = api(reviewers["senior_management"]).post(
            f"/api/v1/gate-reviews/{submitted.pk}/decisions/",
            {"department": "senior_management", "decision": "approve", "comment": "同意"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "step_not_open"


def test_senior_decision_on_the_page_after_one_approval_is_refused_and_changes_nothing(client, submitted, reviewers):
    approve(submitted, reviewers, "risk")
    step = submitted.steps.get(department="senior_management")
    with assert_unchanged(*GOVERNED):
        response = login(client, reviewers["senior_management"]).post(
            reverse("lifecycle:step_decide", args=[step.pk]), {"decision": "approve", "comment": "同意"}, follow=True)
    assert response.status_code == 200
    assert str(ApprovalError.STEP_NOT_OPEN.label) in response.content.decode()


def test_senior_step_opens_with_the_last_other_approval_and_its_decision_moves_the_product(submitted, reviewers):
    asked = senior_asked(reviewers)
    approve(submitted, reviewers, *OTHERS)
    assert senior_status(submitted) == "pending"
    assert senior_asked(reviewers) == asked + 1
    submitted.product.refresh_from_db()
    assert submitted.product.stage == "development"
    approve(submitted, reviewers, "senior_management")
    submitted.product.refresh_from_db()
    submitted.refresh_from_db()
    assert (submitted.status, submitted.product.stage) == ("approved", "marketing")
