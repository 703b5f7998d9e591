"""After a rejection: the product page tells the manager who rejected and why, keeps the review history, and a
resubmission answers the comments for the next reviewers to read."""
import pytest
from django.urls import reverse

from approvals import services as approval_services
from approvals.models import GateReview
from core.models import AuditEntry
from lifecycle import services
from tests.helpers import login

pytestmark = pytest.mark.django_db
WHY = "压力测试缺少利率上行情景。"


@pytest.fixture
def rejected(submitted, reviewers):
    approval_services.approval_step_decide(review=submitted, department="risk", user=reviewers["risk"],
                                           decision="reject",
                                  comment=WHY)
    return submitted


def test_the_gate_panel_names_who_rejected_and_why(client, rejected, owner, reviewers):
    html = login(client, owner).get(rejected.product.get_absolute_url()).content.decode()
    assert 'id="last-rejection"' in html and WHY in html and str(reviewers["risk"]) in html


def test_the_gate_panel_keeps_the_review_history(client, rejected, owner):
    html = login(client, owner).get(rejected.product.get_absolute_url()).content.decode()
    assert 'id="review-history"' in html and f'data-review="{rejected.pk}" data-status="rejected"' in html


def test_a_resubmission_keeps_its_answer_to_the_comments_and_audits_it(client, rejected, owner):
    login(client, owner).post(reverse("lifecycle:gate_submit", args=[rejected.product.pk]),
                              {"response": "已补充利率上行 200bp 情景。"})
    review = GateReview.objects.get(product=rejected.product, status="pending")
    assert review.response == "已补充利率上行 200bp 情景。"
    entry = AuditEntry.objects.filter(action="review_submitted", object_id=str(review.pk)).get()
    assert "已补充利率上行 200bp 情景。" in entry.comment


def test_the_next_reviewers_read_the_answer(client, rejected, owner, reviewers):
    services.gate_review_submit(product=rejected.product, user=owner, response="已补充利率上行 200bp 情景。")
    html = login(client, reviewers["risk"]).get(reverse("lifecycle:my_reviews")).content.decode()
    assert "已补充利率上行 200bp 情景。" in html


def test_no_answer_box_while_nothing_was_rejected(client, product, owner, reviewers):
    html = login(client, owner).get(product.get_absolute_url()).content.decode()
    assert 'name="response"' not in html and 'id="last-rejection"' not in html
