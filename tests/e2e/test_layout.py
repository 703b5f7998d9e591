"""What a person sees: integer counts, status not by colour alone, no page wider than the window (1280 and 390 px)."""
import pytest

pytestmark = pytest.mark.e2e

OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
MAIN_PAGES = ["/kpis/", "/products/", "/requirements/", "/requirements/board/", "/lifecycle/my-products/",
              "/kpis/alerts/", "/notifications/"]


def test_dashboard_counts_are_integers_and_heat_cells_carry_a_mark(
    page, demo_data, login, screenshot
):
    login("head1")
    page.goto("/kpis/")
    table = page.inner_text("#heat-table")
    assert ".00 户" not in table
    red = page.locator("#heat-table td[data-status=red]").first
    assert "✕" in red.inner_text()
    assert red.locator(".visually-hidden").inner_text() == "预警"
    screenshot("layout-dashboard-1366")


@pytest.mark.parametrize("width", [1280, 390])
def test_main_pages_do_not_overflow_the_window(
    page, demo_data, login, screenshot, width
):
    page.set_viewport_size({"width": width, "height": 900})
    login("pm1")
    for path in MAIN_PAGES:
        page.goto(path)
        assert page.evaluate(OVERFLOW) <= 0, path
    page.goto("/kpis/")
    screenshot(f"layout-dashboard-{width}")
