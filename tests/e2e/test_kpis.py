import pytest

pytestmark = pytest.mark.e2e

SERIES_DRAWN = "(id) => { const c = echarts.getInstanceByDom(document.getElementById(id));" \
               " return c ? c.getOption().series.length : 0; }"


def test_head_of_product_sees_the_dashboard_charts_and_a_product_kpi_page(
    page, demo_data, login, screenshot
):
    login("head1")
    page.goto("/")
    assert page.url.endswith("/kpis/")
    page.wait_for_selector("#chart-stages canvas")
    assert page.evaluate(SERIES_DRAWN, "chart-stages") == 1
    assert page.evaluate(SERIES_DRAWN, "chart-categories") == 1
    assert page.locator("#heat-table tbody tr").count() >= 10
    assert page.locator("#heat-table td.heat-red").count() >= 1
    assert "LN-002" in page.inner_text("#open-alerts")
    screenshot("kpis-dashboard-zh")

    page.click("#heat-table a:text('LN-002')")
    page.locator("#chart-default_rate").scroll_into_view_if_needed()  # charts are drawn as they come into view
    page.wait_for_selector("#chart-default_rate canvas")
    series = page.evaluate("() => echarts.getInstanceByDom(document.getElementById('chart-default_rate'))"
                           ".getOption().series.map((s) => [s.name, s.data.length])")
    assert series == [["实际", 24], ["目标", 24]]
    assert page.locator("#snapshot-table tbody tr").count() > 100
    screenshot("kpis-product-ln002-zh")

    page.goto("/kpis/")
    with page.expect_navigation():
        page.select_option("#language-switcher select", "en")
    assert "Portfolio dashboard" in page.inner_text("h2.page-title")
    assert "default rate" in page.inner_text("#heat-table thead").lower()
    page.wait_for_selector("#chart-stages canvas")
    screenshot("kpis-dashboard-en")


def test_product_manager_acknowledges_the_red_alert(page, demo_data, login, screenshot):
    login("pm2")
    page.goto("/kpis/alerts/?status=open")
    row = page.locator("#alert-table tbody tr", has_text="LN-002")
    row.locator("input[name=comment]").fill("已收紧审批并加强催收")
    row.locator("button:text('确认')").click()
    page.wait_for_load_state()
    page.goto("/kpis/alerts/?status=acknowledged")
    assert "已收紧审批并加强催收" in page.inner_text("#alert-table")
    screenshot("kpis-alerts-zh")
    page.click("#alert-table a:text('LN-002')")
    page.click(".page-pretitle a:text('LN-002')")
    page.wait_for_selector("#kpi-summary")
    assert "不良率" in page.inner_text("#kpi-summary")
    assert page.locator("#kpi-summary .badge.bg-red-lt").count() == 1
    screenshot("kpis-product-section-zh")
    page.goto("/kpis/scorecards/")
    assert page.locator("#scorecard-table tbody tr").count() == 1
    screenshot("kpis-scorecard-pm-zh")
