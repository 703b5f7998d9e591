"""The head of product's and reviewers' own pages in the browser: annual targets and delegations, both languages."""
import datetime as dt

import pytest

pytestmark = pytest.mark.e2e

OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_head_of_product_spreads_a_category_target_from_the_navigation(
    page, demo_data, login, screenshot, live_server, language
):
    from kpis.models import Target

    page.set_viewport_size({"width": 1366, "height": 768})
    login("head1")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto("/kpis/")
    page.click("#nav-kpis")
    with page.expect_navigation():
        page.click("#nav-targets")
    page.select_option("#target-plan-form select[name=category]", "deposit")
    page.select_option("#target-plan-form select[name=metric]", index=1)
    page.fill("#target-plan-form input[name=year]", "2028")
    page.fill("#target-plan-form input[name=annual_value]", "1200")
    page.check("#target-plan-form input[name=granularity][value=quarter]")
    with page.expect_navigation():
        page.click("#apply-plan")
    assert page.locator(".alert-success").count() == 1
    assert page.locator("#target-summary tbody tr[data-product]").count() >= 1
    assert Target.objects.filter(period_start__year=2028, granularity="quarter").exists()
    assert page.evaluate(OVERFLOW) <= 0
    screenshot(f"targets-{language}-1366")


def test_a_reviewer_names_the_second_risk_reviewer_and_they_see_it(page, demo_data, login, screenshot, live_server):
    page.set_viewport_size({"width": 1366, "height": 768})
    login("risk1")
    page.click("#user-menu")
    with page.expect_navigation():
        page.click("#nav-delegations")
    page.select_option("#delegation-form select[name=delegate]", label=page.locator(
        "#delegation-form select[name=delegate] option", has_text="risk2").inner_text())
    page.fill("#delegation-form input[name=ends_on]", (dt.date.today() + dt.timedelta(days=7)).isoformat())
    with page.expect_navigation():
        page.click("#create-delegation")
    assert page.locator("#delegations-given tr[data-delegation]").count() == 1
    screenshot("delegations-risk1-zh")
    page.click("#user-menu")
    with page.expect_navigation():
        page.click("#logout-button")
    login("risk2")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto("/lifecycle/delegations/")
    assert "Running" in page.inner_text("#delegations-received")
    assert page.evaluate(OVERFLOW) <= 0
    screenshot("delegations-risk2-en")
