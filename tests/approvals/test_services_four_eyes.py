"""Four-eyes, owner half: the product's owner never decides its gate, even when someone else submitted it.

Every test here has owner ≠ submitter (a head of product submits), so that only the owner rule can refuse.
"""
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from approvals import services as approval_services
from approvals.models import ApprovalStep, GateReview
from core.models import AuditEntry
from lifecycle import services
from lifecycle.models import Deliverable
from notifications.models import Notification
from products.models import Product
from tests.factories import ProductFactory, UserFactory, complete_deliverables
from tests.helpers import api, assert_unchanged, login

pytestmark = pytest.mark.django_db
GOVERNED = (Product, GateReview, ApprovalStep, Deliverable, AuditEntry, Notification)


@pytest.fixture
def risk_owner(owner):
    """The product's owner is also a member of the risk department."""
    owner.departments.add(*owner.departments.model.objects.filter(code="risk"))
    return owner


@pytest.fixture
def review(product, risk_owner, head, reviewers):
    """planning → development (risk, compliance, senior management), submitted by the head, not by the owner."""
    complete_deliverables(product)
    return services.gate_review_submit(product=product, user=head)


def test_owner_who_did_not_submit_cannot_decide_for_their_department(review, risk_owner):
    with assert_unchanged(*GOVERNED), pytest.raises(PermissionDenied, match="四眼"):
        approval_services.approval_step_decide(review=review, department="risk", user=risk_owner, decision="approve",
                                      comment="同意")


def test_owner_who_did_not_submit_cannot_reject_either(review, risk_owner):
    with assert_unchanged(*GOVERNED), pytest.raises(PermissionDenied, match="四眼"):
        approval_services.approval_step_decide(review=review, department="risk", user=risk_owner, decision="reject",
                                      comment="不同意")


def test_owner_deciding_over_the_api_is_403_and_changes_nothing(review, risk_owner):
    with assert_unchanged(*GOVERNED):
        response = api(risk_owner).post(f"/api/v1/gate-reviews/{review.pk}/decisions/",
                                        {"department": "risk", "decision": "approve", "comment": "同意"},
                                        format="json")
    assert response.status_code == 403


def test_owner_deciding_on_the_page_is_403_and_changes_nothing(client, review, risk_owner):
    step = review.steps.get(department="risk")
    with assert_unchanged(*GOVERNED):
        response = login(client, risk_owner).post(reverse("lifecycle:step_decide", args=[step.pk]),
                                                  {"decision": "approve", "comment": "同意"})
    assert response.status_code == 403


def test_owner_running_the_admin_action_is_refused_and_changes_nothing(client, head, reviewers):
    admin_owner = UserFactory(username="adm_own", role="administrator", is_superuser=True, is_staff=True,
                              departments=["risk", "compliance"])
    product = ProductFactory(owner=admin_owner)
    complete_deliverables(product)
    review = services.gate_review_submit(product=product, user=head)
    with assert_unchanged(*GOVERNED):
        response = login(client, admin_owner).post(reverse("admin:approvals_gatereview_changelist"),
                                                   {"action": "approve_my_steps", "_selected_action": [review.pk],
                                                    "post": "yes", "confirm": "yes", "comment": "同意"},
                                                   follow=True)
    assert "四眼" in response.content.decode()


def test_owner_is_not_asked_to_review_their_own_product(review, risk_owner, reviewers):
    assert not risk_owner.notifications.filter(title__contains="待审批").exists()
    assert reviewers["risk"].notifications.filter(title__contains="待审批").count() == 1
    assert list(approval_services.department_reviewers(review=review, department="risk")) == [reviewers["risk"]]


def test_owners_queue_does_not_offer_their_own_product(client, review, risk_owner, reviewers):
    card = f'data-product="{review.product.code}"'
    assert card not in login(client, risk_owner).get(reverse("lifecycle:my_reviews")).content.decode()
    assert card in login(client, reviewers["risk"]).get(reverse("lifecycle:my_reviews")).content.decode()


def test_another_member_of_the_department_decides_and_the_decision_is_stored(review, reviewers):
    approval_services.approval_step_decide(review=review, department="risk", user=reviewers["risk"], decision="approve",
                                  comment="风险可控")
    step = review.steps.get(department="risk")
    assert (step.status, step.decision, step.decided_by, step.comment) == (
        "approved", "approve", reviewers["risk"], "风险可控")
    entry = AuditEntry.objects.filter(action="step_approved").get()
    assert (entry.actor, entry.from_value, entry.to_value, entry.comment) == (
        reviewers["risk"], "risk", "approve", "风险可控")
