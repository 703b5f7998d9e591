"""Browser walk of a periodic review: a head of product opens one on an event, the manager writes the price and
value assessment and submits the pack, risk decides `remediate` with an action (owner and due date), the other
departments approve; the review shows the outcome, the action and the next due date."""
import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import User
from products.models import Product
from reviews.models import ProductReview

pytestmark = pytest.mark.e2e
CODE = "WM-006"
DECIDERS = {"risk": "risk1", "compliance": "compliance1", "senior_management": "exec1"}


def switch_user(page, login, username):
    page.context.clear_cookies()
    login(username)


def confirm(page, selector):
    with page.expect_navigation():
        page.click(selector)
        page.click("#confirm-ok")


def test_periodic_review_from_opening_through_the_pack_to_remediate(page, demo_data, login, screenshot):
    product = Product.objects.get(code=CODE)
    pm = User.objects.get(username="pm1")
    login("head1")
    page.goto("/reviews/")
    assert page.locator("#due-table").count() == 1 and page.locator("#outcome-chart canvas").count() == 1
    screenshot("periodic-review-1-portfolio")
    page.select_option("#open-review-form select[name=product]", str(product.pk))
    page.fill("#open-review-form textarea[name=reason]", "理财产品赎回投诉激增")
    with page.expect_navigation():
        page.click("button[data-action=open-review]")
    review = ProductReview.objects.get(product=product, status="preparing")
    assert page.url.endswith(review.get_absolute_url())

    switch_user(page, login, "pm1")
    page.goto(review.get_absolute_url())
    assert page.locator("#live-pack-note").count() == 1
    for section in ("kpi_trend", "complaints_summary", "market_fit", "open_risks", "open_alerts"):
        assert page.locator(f".snapshot-section[data-section={section}] table").count() >= 1
    page.fill("textarea[name=price_paid]", "管理费 0.2%/年，无申购赎回费。")
    page.fill("textarea[name=value_received]", "T+0 赎回，七日年化约 1.9%。")
    page.fill("textarea[name=comparison]", "同业同类产品管理费 0.25%–0.3%，收益相近。")
    page.fill("textarea[name=conclusion]", "价格合理，但大额赎回限额未充分披露。")
    screenshot("periodic-review-2-prepared")
    confirm(page, "button[data-action=submit-pack]")
    assert page.locator(".alert-success").count() == 1
    assert page.locator(".snapshot-section[data-section=price_value]").inner_text().count("大额赎回") == 1

    due = (timezone.localdate() + dt.timedelta(days=45)).isoformat()
    switch_user(page, login, "risk1")
    page.goto(review.get_absolute_url())
    screenshot("periodic-review-3-pack-for-risk")
    page.select_option("#decision-form select[name=outcome]", "remediate")
    page.fill("#decision-form textarea[name=comment]", "披露不足，须整改")
    page.fill("#decision-form input[name=action_0]", "补充大额赎回限额的披露并通知存量客户")
    page.select_option("#decision-form select[name=owner_0]", str(pm.pk))
    page.fill("#decision-form input[name=due_0]", due)
    confirm(page, "#decision-form button[data-action=approve]")
    assert page.locator(".alert-success").count() == 1

    for department in ("compliance", "senior_management"):
        review.refresh_from_db()
        if review.status != "in_review" or not review.gate_review.steps.filter(
                department=department).exists():
            continue
        switch_user(page, login, DECIDERS[department])
        page.goto(review.get_absolute_url())
        page.select_option("#decision-form select[name=outcome]", "keep")
        confirm(page, "#decision-form button[data-action=approve]")

    review.refresh_from_db()
    assert (review.status, review.outcome) == ("decided", "remediate")
    page.goto(review.get_absolute_url())
    assert page.locator("#review-outcome [data-outcome=remediate]").count() == 1
    assert "补充大额赎回限额" in page.locator(".remediation-actions").inner_text()
    screenshot("periodic-review-4-remediate")
