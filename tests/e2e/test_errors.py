"""Refused and unknown pages are styled, keep the navigation and speak the reader's language."""
import pytest

pytestmark = pytest.mark.e2e


def test_reviewer_sees_the_reason_on_a_styled_403_in_chinese(page, demo_data, login, screenshot):
    login("risk1")
    response = page.goto("/kpis/scorecards/")
    assert response.status == 403
    assert page.inner_text("#error-reason") == "您无权查看产品经理考核。"
    assert page.locator("#navbar-menu a", has_text="产品目录").count() == 1
    screenshot("errors-403-scorecards-zh")


def test_unknown_url_is_a_styled_404_in_english(page, demo_data, login, screenshot):
    login("pm1")
    with page.expect_navigation():
        page.select_option("#language-switcher select", "en")
    response = page.goto("/no-such-page/")
    assert response.status == 404
    assert "Page not found" in page.inner_text("#error-page")
    assert "URLconf" not in page.content()
    screenshot("errors-404-en")
