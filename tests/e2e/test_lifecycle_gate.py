"""Browser walk of a stage gate: pm1 ticks the checklist and submits, each department approves, exec1 last."""
import pytest

from products.models import Product

pytestmark = pytest.mark.e2e


def switch_user(page, login, username):
    page.context.clear_cookies()
    login(username)


def approve_in_queue(page, login, username, product_code):
    switch_user(page, login, username)
    page.goto("/lifecycle/reviews/")
    card = page.locator(f"[data-product='{product_code}']")
    card.locator("textarea[name=comment]").fill(f"{username} 同意")
    with page.expect_navigation():
        card.locator("button[data-action=approve]").click()
        page.click("#confirm-ok")
    assert page.locator(".alert-success").count() == 1
    assert page.locator(f"[data-product='{product_code}']").count() == 0


def test_gate_walk_from_planning_to_development(page, demo_data, login, screenshot):
    product = Product.objects.get(code="CC-005")
    login("pm1")
    page.goto(f"/products/{product.pk}/")
    assert page.locator("#lifecycle-diagram svg g.current[data-stage=planning]").count() == 1
    assert page.locator("#submit-gate").is_disabled()
    for row in page.locator("#deliverables tr[data-status=open]").all():
        row.locator("button[data-action=done]").click()
    page.wait_for_selector("#deliverables tr[data-status=open]", state="detached")
    screenshot("lifecycle-product-checklist-done")
    page.reload()
    with page.expect_navigation():
        page.click("#submit-gate")
    assert page.locator("#review-steps tr[data-department=risk]").count() == 1
    screenshot("lifecycle-product-review-open")

    approve_in_queue(page, login, "compliance1", "CC-005")
    switch_user(page, login, "risk1")
    page.goto("/lifecycle/reviews/")
    screenshot("lifecycle-my-reviews-risk1")
    approve_in_queue(page, login, "risk1", "CC-005")
    approve_in_queue(page, login, "exec1", "CC-005")

    page.goto(f"/products/{product.pk}/")
    assert "开发" in page.inner_text("#product-stage")
    assert page.locator("#lifecycle-diagram svg g.current[data-stage=development]").count() == 1
    assert "阶段变更" in page.inner_text("#history-timeline")
    screenshot("lifecycle-product-after-gate")

    page.goto(f"/lifecycle/products/{product.pk}/history/?action=step_approved")
    assert page.locator("#history-timeline li[data-action=step_approved]").count() == 3
    assert page.locator("#history-timeline li[data-action=review_submitted]").count() == 0
    screenshot("lifecycle-history-filtered")


def test_reviewer_queue_shows_overdue_first_and_rejection_needs_comment(page, demo_data, login, screenshot):
    login("finance1")
    page.goto("/lifecycle/reviews/")
    cards = page.locator("#my-reviews [data-step]")
    assert cards.first.get_attribute("data-product") == "LN-004"
    assert "逾期" in cards.first.inner_text()
    with page.expect_navigation():
        cards.first.locator("button[data-action=reject]").click()
        page.click("#confirm-ok")
    assert "驳回必须填写意见" in page.inner_text(".alert-danger")
    screenshot("lifecycle-my-reviews-finance1")
    switch_user(page, login, "pm1")
    page.goto("/lifecycle/my-products/")
    assert "CC-004" in page.inner_text("#my-products")
    screenshot("lifecycle-my-products-pm1")
    page.goto(f"/products/{Product.objects.get(code='LN-004').pk}/")
    with page.expect_navigation():
        page.select_option("#language-switcher select", "en")
    assert "Deliverables of this stage" in page.inner_text("#lifecycle-panel")
    assert "Overdue" in page.inner_text("#review-steps")
    screenshot("lifecycle-product-review-en")
