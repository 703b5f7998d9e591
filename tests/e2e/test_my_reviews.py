"""My reviews: what each card says stays on that card."""
import pytest

pytestmark = pytest.mark.e2e


def test_rejection_without_comment_shows_its_error_on_that_card_only(page, demo_data, login, screenshot):
    login("finance1")
    page.goto("/lifecycle/reviews/")
    cards = page.locator("#my-reviews [data-step]")
    assert cards.count() >= 2
    rejected = cards.nth(1)
    step = rejected.get_attribute("data-step")
    with page.expect_navigation():
        rejected.locator("button[data-action=reject]").click()
        page.click("#confirm-ok")
    card = page.locator(f"#my-reviews [data-step='{step}']")
    assert "驳回必须填写意见" in card.locator(".card-error").inner_text()
    assert page.locator(".card-error").count() == 1
    assert page.locator(".page-body > .container-xl > .alert").count() == 0
    screenshot("my-reviews-per-card-error")
