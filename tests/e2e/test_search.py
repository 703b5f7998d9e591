"""The search box answers as one types; arrows and Enter open a result."""
import pytest

pytestmark = pytest.mark.e2e


def test_manager_finds_a_product_and_opens_it_with_the_keyboard(page, demo_data, login, screenshot):
    login("pm1")
    page.goto("/products/")
    page.fill("#global-search input", "CC-00")
    page.wait_for_selector("#search-results.show [role=option]")
    screenshot("search-results")
    page.press("#global-search input", "ArrowDown")
    page.press("#global-search input", "ArrowDown")
    assert page.locator("#search-results [role=option][aria-selected=true]").count() == 1
    target = page.locator("#search-results [role=option][aria-selected=true]").get_attribute("href")
    with page.expect_navigation():
        page.press("#global-search input", "Enter")
    assert page.url.endswith(target)
