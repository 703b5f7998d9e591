"""What a reviewer approves, in the browser: a terms change and a launch gate with its risk register, each shown as
labelled tables with links, codes in words and no code box, in Chinese and English."""
import pytest

from accounts.models import User
from approvals.models import ApprovalStep
from changes import services as changes
from products.models import Product

pytestmark = pytest.mark.e2e
CODES = ("mass_market", "mobile_banking", "credit_card", "mitigate", "'status'", "{'", "None")


def _open_change_review():
    """A terms change of a launched demo card, submitted through the services (risk reviews it first)."""
    pm1, product = User.objects.get(username="pm1"), Product.objects.get(code="CC-002")
    change = changes.change_create(user=pm1, product=product, data={
        "summary": "年费下调并面向大众客户", "reason": "competitor", "requirements": [], "pilot": False,
        "effective_from": None, "terms": {"fee": "50", "customer_segment": "mass_market"}})
    return changes.change_submit(user=pm1, change=change)


def _cards_with(page, selector):
    return page.locator(f"#my-reviews [data-step]:has({selector})")


@pytest.mark.parametrize("language", ["zh-CN", "en-US"])
def test_the_reviewer_sees_tables_labels_and_links_not_a_dump(page, demo_data, login, screenshot, language):
    _open_change_review()
    assert ApprovalStep.objects.filter(department="risk", status="pending",
                                       review__snapshot__has_key="risk_register").exists()
    login("risk1")
    page.goto("/lifecycle/reviews/")
    if language == "en-US":
        with page.expect_navigation():
            page.select_option("#language-switcher select", "en")
        assert page.locator("html").get_attribute("lang") == "en"
    change_card = _cards_with(page, ".change-diff").first
    gate_card = _cards_with(page, ".snapshot-risks").first
    for card in (change_card, gate_card):
        card.locator("details.review-snapshot").evaluate("d => d.open = true")
        assert card.locator("details.review-snapshot pre").count() == 0
        assert card.locator("a[href^='/products/']").count() >= 1
        text = card.inner_text()
        assert [code for code in CODES if code in text] == []
    assert change_card.locator(".change-diff .diff-old.bg-red-lt").count() >= 1
    assert change_card.locator("a[href^='/changes/']").count() == 1
    assert gate_card.locator(".snapshot-risks a[href^='/risks/']").count() >= 1
    assert gate_card.locator(".snapshot-risks .badge[class*='-lt']").count() >= 2
    screenshot(f"review-snapshot-{language}")
