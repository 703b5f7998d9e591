"""The pages: the portfolio, one review with its pack, preparing and submitting it, deciding with an outcome and
actions, and the product page's panel with the next due date."""
import datetime as dt

import pytest
from django.utils import timezone

from reviews.models import ProductReview
from tests.helpers import login

from .conftest import PRICE_VALUE, opened, operating, submitted

pytestmark = pytest.mark.django_db


def test_the_portfolio_lists_due_overdue_and_running_reviews(client, owner, head):
    overdue = opened(operating(owner, code="PF-1"), due_in=-3)
    operating(owner, code="PF-2", launched_days_ago=10)
    page = login(client, head).get("/reviews/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f'id="review-{overdue.pk}"' in body and 'data-product="PF-2"' in body
    assert page.context["counts"]["overdue"] == 1
    assert 'id="open-review-form"' in body


def test_the_portfolio_filters_by_status(client, owner, head):
    running = submitted(opened(operating(owner, code="PF-3")))
    opened(operating(owner, code="PF-4"))
    page = login(client, head).get("/reviews/", {"status": "in_review"})
    assert [r.pk for r in page.context["reviews"]] == [running.pk]


def test_the_portfolio_in_english(client, owner, head):
    opened(operating(owner, code="PF-5"))
    client.cookies["django_language"] = "en"
    body = login(client, head).get("/reviews/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Periodic product reviews" in body


def test_a_head_opens_a_review_from_the_portfolio(client, owner, head):
    product = operating(owner, code="PF-6")
    response = login(client, head).post("/reviews/open/", {"product": product.pk, "reason": "投诉激增"})
    review = ProductReview.objects.get(product=product)
    assert response.status_code == 302 and response["Location"] == review.get_absolute_url()


def test_the_manager_prepares_and_submits_the_pack_on_the_review_page(client, product):
    review = opened(product)
    login(client, product.owner)
    assert 'id="price-value-form"' in client.get(review.get_absolute_url()).content.decode()
    client.post(f"/reviews/{review.pk}/prepare/", {**PRICE_VALUE, "submit": "1"})
    review.refresh_from_db()
    assert review.status == "in_review" and review.gate_review is not None


def test_a_reviewer_decides_remediate_with_actions_on_the_review_page(client, product, reviewers):
    review = submitted(opened(product))
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    login(client, reviewers["risk"]).post(f"/reviews/{review.pk}/decide/", {
        "decision": "approve", "outcome": "remediate", "comment": "需整改", "action_0": "更新费用披露",
        "owner_0": product.owner_id, "due_0": due})
    login(client, reviewers["compliance"]).post(f"/reviews/{review.pk}/decide/", {
        "decision": "approve", "outcome": "keep"})
    review.refresh_from_db()
    assert (review.status, review.outcome) == ("decided", "remediate")
    body = client.get(review.get_absolute_url()).content.decode()
    assert "更新费用披露" in body


def test_the_pack_renders_as_tables_never_as_a_dump(client, product, reviewers):
    review = submitted(opened(product))
    body = login(client, reviewers["risk"]).get(review.get_absolute_url()).content.decode()
    for section in ("price_value", "kpi_trend", "complaints_summary", "market_fit", "open_risks", "open_alerts",
                    "since_last_review"):
        assert f'data-section="{section}"' in body
    assert "{&#x27;" not in body and "{'" not in body
    assert 'id="decision-form"' in body


def test_the_product_page_shows_the_next_review_due_date(client, product):
    body = login(client, product.owner).get(product.get_absolute_url()).content.decode()
    assert 'id="next-review-due"' in body


def test_another_manager_sees_no_form_and_cannot_prepare_the_pack(client, product):
    from tests.factories import UserFactory

    review = opened(product)
    other = UserFactory(username="pm_other", role="product_manager")
    login(client, other)
    assert 'id="price-value-form"' not in client.get(review.get_absolute_url()).content.decode()
    client.post(f"/reviews/{review.pk}/prepare/", {**PRICE_VALUE, "submit": "1"})
    review.refresh_from_db()
    assert (review.status, review.price_paid) == ("preparing", "")


def test_a_product_manager_cannot_open_a_review_from_the_portfolio(client, product):
    login(client, product.owner).post("/reviews/open/", {"product": product.pk, "reason": "想评审"})
    assert not ProductReview.objects.filter(product=product).exists()
