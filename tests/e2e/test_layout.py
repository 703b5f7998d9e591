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


NAV_PAGES = MAIN_PAGES + ["/risks/", "/audit/", "/lifecycle/reviews/", "/requirements/versions/", "/kpis/targets/",
                          "/lifecycle/delegations/"]
# Right edge of the bar's last controls: notifications and the user menu must be on screen, not scrolled off.
NAV_RIGHT_EDGE = """() => Math.max(...['#nav-notifications', '#user-menu', '#language-switcher', '#global-search']
    .map(s => document.querySelector(s).getBoundingClientRect().right))"""


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("username", ["admin", "pm1", "risk1", "head1"])
def test_navigation_and_main_pages_fit_1366_in_both_languages(
    page, demo_data, login, screenshot, live_server, language, username
):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(username)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    for path in NAV_PAGES:
        response = page.goto(path)
        if response.status == 403:
            continue
        assert page.evaluate(OVERFLOW) <= 0, path
        assert page.evaluate(NAV_RIGHT_EDGE) <= 1366, path
        assert page.locator("#navbar-menu .navbar-nav").bounding_box()["height"] < 60, path
    page.goto("/products/")
    screenshot(f"layout-nav-{username}-{language}-1366")


@pytest.mark.parametrize("width", [1440, 1600])
def test_english_navigation_fits_wider_laptops(page, demo_data, login, screenshot, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    login("admin")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto("/products/")
    assert page.evaluate(OVERFLOW) <= 0
    assert page.evaluate(NAV_RIGHT_EDGE) <= width
    screenshot(f"layout-nav-admin-en-{width}")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_django_admin_fits_1366(page, demo_data, login, screenshot, live_server, language):
    page.set_viewport_size({"width": 1366, "height": 768})
    login("admin")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    for path in ["/admin/", "/admin/products/product/", "/admin/kpis/target/", "/admin/accounts/user/"]:
        page.goto(path)
        assert page.evaluate(OVERFLOW) <= 0, path
    page.goto("/admin/")
    screenshot(f"layout-admin-{language}-1366")


def test_search_box_widens_in_use_without_widening_the_page(page, demo_data, login, live_server):
    page.set_viewport_size({"width": 1366, "height": 768})
    login("head1")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto("/products/")
    box = page.locator("#global-search input")
    resting = box.bounding_box()["width"]
    box.focus()
    page.wait_for_timeout(300)
    assert box.bounding_box()["width"] > resting
    assert page.evaluate(OVERFLOW) <= 0


# Tops of each filter row's controls (text inputs, plain selects and tag pickers) must be equal.
FILTER_ROW_TOPS = """() => { const rows = {}; document.querySelectorAll('#filter-form .filter-field').forEach(f => {
    const control = f.lastElementChild.getBoundingClientRect(); const key = Math.round(f.getBoundingClientRect().top);
    (rows[key] = rows[key] || new Set()).add(Math.round(control.top)); });
  return Object.values(rows).map(s => s.size); }"""


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_filter_controls_share_one_baseline_and_say_any(page, demo_data, login, live_server, screenshot, language):
    page.set_viewport_size({"width": 1366, "height": 768})
    login("head1")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    for path in ["/risks/", "/products/", "/requirements/"]:
        page.goto(path)
        assert set(page.evaluate(FILTER_ROW_TOPS)) == {1}, path
        assert "---------" not in page.inner_text("#filter-form"), path
    page.goto("/risks/")
    screenshot(f"layout-filters-{language}")
