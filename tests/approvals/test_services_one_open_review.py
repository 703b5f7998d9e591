"""One open gate review per product: the service refuses a second one, and the database refuses it on its own."""
import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from approvals import services as approval_services
from approvals.choices import ApprovalError
from approvals.exceptions import GateConflict
from approvals.models import ApprovalStep, GateReview
from core.models import AuditEntry
from lifecycle import services
from lifecycle.models import Deliverable
from notifications.models import Notification
from products.models import Product
from tests.helpers import api, assert_unchanged, login

pytestmark = pytest.mark.django_db
GOVERNED = (Product, GateReview, ApprovalStep, Deliverable, AuditEntry, Notification)


# A second submission is refused as a conflict before anything else is looked at: here its target (operation,
# not reachable from development) would otherwise be a 400, so only the service's own check answers 409.

def test_second_submission_is_a_conflict_whatever_its_target(submitted, owner):
    with assert_unchanged(*GOVERNED), pytest.raises(GateConflict) as error:
        services.gate_review_submit(product=submitted.product, user=owner, to_stage="operation")
    assert error.value.code == ApprovalError.REVIEW_ALREADY_OPEN


def test_second_submission_over_the_api_is_409_and_changes_nothing(submitted, owner):
    with assert_unchanged(*GOVERNED):
        response = api(owner).post(f"/api/v1/products/{submitted.product_id}/gate-reviews/",
                                   {"to_stage": "operation"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "review_already_open"


def test_second_submission_on_the_page_says_a_review_is_open_and_changes_nothing(client, submitted, owner):
    with assert_unchanged(*GOVERNED):
        response = login(client, owner).post(reverse("lifecycle:gate_submit", args=[submitted.product_id]),
                                             {"to_stage": "operation"}, follow=True)
    assert response.status_code == 200
    assert str(ApprovalError.REVIEW_ALREADY_OPEN.label) in response.content.decode()


def test_database_refuses_a_second_open_review_written_past_the_service(submitted, owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        GateReview.objects.create(product=submitted.product, from_stage="development", to_stage="marketing",
                                  submitted_by=owner, submitted_at=timezone.now())
    assert GateReview.objects.filter(product=submitted.product, status="pending").count() == 1


def test_closed_reviews_do_not_count_against_the_open_one(submitted, owner, reviewers):
    approval_services.approval_step_decide(review=submitted, department="risk", user=reviewers["risk"],
                                           decision="reject",
                                  comment="补充材料")
    again = services.gate_review_submit(product=submitted.product, user=owner)
    assert list(GateReview.objects.filter(product=submitted.product, from_stage="development")
                .order_by("id").values_list("status", flat=True)) == ["rejected", "pending"]
    assert again.status == "pending"
