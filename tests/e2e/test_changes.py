"""Browser walk of a terms change: propose (diff before saving), approve through every department, pilot, a
failing criterion blocks rollout, passing figures are ingested, roll out, version 2 on the product page."""
import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import User
from kpis.services import observations_ingest
from products.models import Product

pytestmark = pytest.mark.e2e
CODE = "CC-002"


def switch_user(page, login, username):
    page.context.clear_cookies()
    login(username)


def approve_in_queue(page, login, username):
    switch_user(page, login, username)
    page.goto("/lifecycle/reviews/")
    card = page.locator(f"[data-product='{CODE}']")
    assert card.locator(".change-diff tr[data-field=fee]").count() == 1  # reviewers see the diff
    card.locator("textarea[name=comment]").fill(f"{username} 同意")
    with page.expect_navigation():
        card.locator("button[data-action=approve]").click()
        page.click("#confirm-ok")
    assert page.locator(".alert-success").count() == 1


def ingest(value, day):
    """A figure inside the pilot's scope (Shanghai, young customers): the pilot is judged on its own scope only."""
    observations_ingest(user=User.objects.get(username="pm1"),
                        items=[{"product": CODE, "metric": "csat", "date": day.isoformat(), "value": value,
                                "region": "sh", "segment": "youth", "channel": "mobile_banking"}])


def test_change_walk_from_proposal_to_version_2(page, demo_data, login, screenshot):
    product = Product.objects.get(code=CODE)
    today = timezone.localdate()
    login("pm1")
    page.goto(f"/products/{product.pk}/")
    assert page.locator("#terms-timeline li[data-version='1'][data-status=active]").count() == 1
    page.click("#propose-change")
    page.fill("input[name=fee]", "50")
    page.fill("textarea[name=features]", "视频会员季卡\n外卖 5% 返现")
    assert page.locator("#diff-preview tr[data-field=fee] .diff-new").inner_text() == "50"
    assert page.locator("#diff-preview tr[data-field=features]").count() == 1
    page.fill("input[name=summary]", "年费 50 元并新增外卖返现")
    page.select_option("select[name=reason]", "competitor")
    page.check("input[name=pilot]")
    # The pilot's scope, window and criteria are stated with the change and approved with it.
    page.fill("#pilot-plan input[name=plan-regions]", "上海, 深圳")
    page.check("#pilot-plan input[name=plan-segments][value=youth]")
    page.fill("#pilot-plan input[name=plan-start]", today.isoformat())
    page.fill("#pilot-plan input[name=plan-end]", (today + dt.timedelta(days=30)).isoformat())
    page.select_option("#pilot-plan select[name=plan-metric_0]", "csat")
    page.select_option("#pilot-plan select[name=plan-op_0]", ">=")
    page.fill("#pilot-plan input[name=plan-value_0]", "80")
    screenshot("changes-propose-diff")
    with page.expect_navigation():
        page.click("#save-change")
    assert page.locator("#change-diff tr[data-field=fee] .diff-old").inner_text() == "0"
    assert page.locator("#change-diff tr[data-field=fee] .diff-new").inner_text() == "50"
    change_url = page.url
    with page.expect_navigation():
        page.click("#submit-change")
    assert page.locator("#change-review-steps tr[data-department=senior_management]").count() == 1
    screenshot("changes-submitted")

    for username in ("risk1", "compliance1", "finance1", "exec1"):
        approve_in_queue(page, login, username)

    switch_user(page, login, "pm1")
    page.goto(change_url)
    assert page.get_attribute("#change-status", "data-status") == "approved"
    page.fill("#pilot-form input[name=regions]", "上海, 深圳")
    page.check("#pilot-form input[name=segments][value=youth]")
    page.fill("#pilot-form input[name=start]", today.isoformat())  # the demo's figures end last month
    page.fill("#pilot-form input[name=end]", (today + dt.timedelta(days=30)).isoformat())
    page.select_option("#pilot-form select[name=metric_0]", "csat")
    page.select_option("#pilot-form select[name=op_0]", ">=")
    page.fill("#pilot-form input[name=value_0]", "80")
    # The chosen metric's unit and aggregation appear on its row; the form stays within the window.
    assert page.inner_text("#pilot-criteria-form tr[data-row='0'] .criterion-info").strip()
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot("changes-pilot-form")
    with page.expect_navigation():
        page.click("#start-pilot")
    assert page.get_attribute("#change-status", "data-status") == "piloting"
    assert page.get_attribute("#pilot-criteria tr[data-metric=csat]", "data-met") == "none"

    ingest(70, today)
    page.reload()
    assert page.get_attribute("#pilot-criteria tr[data-metric=csat]", "data-met") == "no"
    page.wait_for_selector("#pilot-chart canvas")
    # Unmet criteria: the button is disabled and says why (the service refuses a posted rollout as well).
    assert page.is_disabled("#rollout")
    assert "试点标准尚未全部达到" in page.inner_text("#rollout-blocked")
    assert page.get_attribute("#change-status", "data-status") == "piloting"
    screenshot("changes-rollout-blocked")

    ingest(96, today)  # the same day sent again replaces its figure
    page.reload()
    assert page.get_attribute("#pilot-criteria tr[data-metric=csat]", "data-met") == "yes"
    page.wait_for_selector("#pilot-chart canvas")
    screenshot("changes-criteria-met")
    with page.expect_navigation():
        page.click("#rollout")
    assert page.get_attribute("#change-status", "data-status") == "rolled_out"
    assert page.inner_text("#change-version") == "v2"

    page.goto(f"/products/{product.pk}/")
    assert page.locator("#terms-timeline li[data-version='2'][data-status=active]").count() == 1
    assert page.locator("#terms-timeline li[data-version='1'][data-status=superseded]").count() == 1
    assert page.locator("#terms-compare tr[data-field=fee][data-changed]").count() == 1
    assert "外卖 5% 返现" in page.inner_text("#product-features")
    screenshot("changes-product-version-2")
