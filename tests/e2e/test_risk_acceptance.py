"""Browser walk of risk acceptance on the approval engine: pm2 registers a high residual risk; its page shows the
acceptance review waiting for senior management; exec1 finds it in "My reviews" with the risk as a table, reads it
in English too, and accepts it on the risk's page."""
import pytest

from accounts.models import User
from products.models import Product

from .test_risks import register

pytestmark = pytest.mark.e2e


@pytest.fixture
def loan(demo_data):
    owner = User.objects.get(username="pm2")
    return Product.objects.create(code="LN-ACC", name="经营性贷款", category="loan", owner=owner, risk_rating="R3",
                                  stage="development")


def test_a_high_residual_risk_goes_to_senior_management_through_the_queue_in_both_languages(page, loan, login,
                                                                                            screenshot):
    login("pm2")
    register(page, loan, "大额授信集中度", "credit", (4, 4), (3, 4), ("单户限额与联合授信", "preventive"))
    card = page.locator("#risk-acceptance-reviews")
    assert "审批中" in card.inner_text() and "高级管理层" in card.inner_text()
    screenshot("risk-acceptance-detail-zh")
    risk_url = page.url

    page.click("#user-menu")
    with page.expect_navigation():
        page.click("#logout-button")
    login("exec1")
    page.goto("/lifecycle/reviews/")
    step = page.locator(".card", has_text="LN-ACC").first
    assert "剩余风险接受：「大额授信集中度」（剩余风险等级为高）" in step.inner_text()
    step.locator("summary", has_text="提交内容").first.click()
    assert step.locator(".snapshot-risk").count() == 1
    screenshot("risk-acceptance-queue-zh")
    with page.expect_navigation():
        page.select_option("#language-switcher select", "en")
    step = page.locator(".card", has_text="LN-ACC").first
    assert "residual risk acceptance: “大额授信集中度” (residual level High)" in step.inner_text()
    step.locator("summary", has_text="What was submitted").first.click()
    assert step.locator("[data-section=risk] .subheader").text_content() == "Risk to accept"
    screenshot("risk-acceptance-queue-en")

    page.goto(risk_url)
    page.fill("#accept_comment", "Within appetite with the limits in place")
    with page.expect_navigation():
        page.click("#risk-accept-form button[type=submit]")
    assert "Accepted" in page.locator("#risk-status").inner_text()
    screenshot("risk-acceptance-accepted-en")
