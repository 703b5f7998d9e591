import pytest

pytestmark = pytest.mark.e2e


def test_product_manager_creates_product_finds_it_filtered_and_switches_language(page, demo_data, login, screenshot):
    login("pm1")
    page.goto("/products/")
    page.click("#new-product")
    page.fill("input[name=code]", "CC-E2E-1")
    page.fill("input[name=name]", "浏览器测试信用卡")
    page.fill("input[name=name_en]", "Browser Test Card")
    page.select_option("select[name=category]", "credit_card")
    page.select_option("select[name=risk_rating]", "R3")
    page.get_by_label("网上银行").check()
    page.fill("input[name=fee]", "-5")
    page.click("#product-form button[type=submit]")
    # The bad fee is refused with a field-level error and nothing is created.
    assert page.locator(".invalid-feedback[data-field=fee]").is_visible()
    page.fill("input[name=fee]", "300")
    page.click("#product-form button[type=submit]")
    page.wait_for_url("**/products/*/")
    assert "浏览器测试信用卡" in page.inner_text("h2.page-title")

    page.goto("/products/?category=credit_card&q=E2E")
    rows = page.locator("#product-table tbody tr")
    assert rows.count() == 1
    assert "CC-E2E-1" in rows.first.inner_text()
    screenshot("products-filtered-zh")

    with page.expect_navigation():
        page.select_option("#language-switcher select", "en")
    assert "Product catalogue" in page.inner_text("h2.page-title")
    assert "Browser Test Card" in page.inner_text("#product-table")
    screenshot("products-filtered-en")
