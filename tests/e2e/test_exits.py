"""Browser walk of an exit: pm1 writes the plan of an operating product, takes it through the exit gate, uploads
migration progress until nobody remains, finishes the aftercare, retires it, and the burn-down reaches zero."""
import datetime as dt

import pytest
from django.utils import timezone

from products.models import Product
from tests.e2e.test_lifecycle_gate import approve_in_queue, switch_user
from tests.factories import exit_defaults

pytestmark = pytest.mark.e2e
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _seed_rows(transactional_db):
    exit_defaults()


def day(offset):
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def tick_deliverables(page):
    # Each tick swaps its row (and the gate card): always tick the first row still open.
    open_rows = page.locator("#deliverables tr[data-status=open]")
    for _ in range(open_rows.count()):
        before = open_rows.count()
        open_rows.first.locator("button[data-action=done]").click()
        page.wait_for_function(
            "n => document.querySelectorAll('#deliverables tr[data-status=open]').length < n", arg=before)
    page.reload()


def upload(page, product, rows, dry_run=False):
    page.goto(f"/exits/products/{product.pk}/progress/upload/")
    content = "segment,date,migrated,closed\n" + "".join(f"{s},{d},{m},{c}\n" for s, d, m, c in rows)
    page.set_input_files("input[name=file]", files=[{"name": "progress.csv", "mimeType": "text/csv",
                                                      "buffer": content.encode()}])
    if not dry_run:
        page.uncheck("input[name=dry_run]")
    with page.expect_navigation():
        page.click("#upload-form button[type=submit]")


def remaining(page):
    return page.evaluate("JSON.parse(document.getElementById('exit-burndown-data').textContent).remaining")


def test_exit_walk_from_operation_to_retired(page, demo_data, login, screenshot):
    product = Product.objects.get(code="WM-001")
    login("pm1")
    page.goto(f"/products/{product.pk}/")
    assert page.locator("#exit-no-plan").count() == 1
    tick_deliverables(page)
    with page.expect_navigation():
        page.click("#submit-gate")
    assert "退出计划" in page.inner_text(".alert-danger")  # no plan yet: the exit gate refuses

    with page.expect_navigation():
        page.click("#exit-plan-edit")
    page.fill("textarea[name=reason]", "产品收益持续低于同类，客户迁移至现金管理 1 号。")
    page.fill("input[name=successor]", "WM-006")
    page.fill("input[name=notice_date]", day(-3))
    page.fill("input[name=close_date]", day(40))
    page.fill("textarea[name=segments]", "网点客户, 6\n手机银行客户, 4")
    page.select_option("select[name=requirements]", index=0)
    screenshot("exits-plan-form")
    with page.expect_navigation():
        page.click("#exit-plan-form button[type=submit]")
    assert page.locator("#exit-segments tr[data-segment]").count() == 2
    assert page.locator("#exit-evidence li[data-kind=requirements]").count() == 1
    with page.expect_navigation():
        page.click("#submit-gate")
    assert page.locator("#review-steps tr[data-department=finance]").count() == 1
    screenshot("exits-exit-review-open")

    for reviewer in ("risk1", "compliance1", "finance1", "exec1"):
        approve_in_queue(page, login, reviewer, "WM-001")
    switch_user(page, login, "pm1")
    page.goto(f"/products/{product.pk}/")
    assert "退出" in page.inner_text("#product-stage")
    assert page.locator("#exit-tasks tr[data-status=open]").count() == 6
    assert "网点客户" in page.inner_text("#exit-blockers")

    upload(page, product, [("网点客户", day(-2), 2, 0), ("手机银行客户", day(-2), 1, 1)], dry_run=True)
    assert "试运行" in page.inner_text("#upload-result")
    upload(page, product, [("网点客户", day(-2), 2, 0), ("手机银行客户", day(-2), 1, 1)])
    upload(page, product, [("网点客户", day(-1), 1, 0)])  # lower than the day before: refused, nothing written
    assert page.locator("#upload-errors tr[data-row='2']").count() == 1
    upload(page, product, [("网点客户", day(-1), 4, 1), ("网点客户", day(0), 5, 1), ("手机银行客户", day(0), 3, 1)])
    page.goto(f"/products/{product.pk}/")
    page.wait_for_selector("#exit-burndown[data-drawn='1'] canvas")
    assert remaining(page) == [10, 6, 3, 0]  # notice date, then the three reported days
    assert page.get_attribute("#exit-totals", "data-remaining") == "0"
    screenshot("exits-burndown-zero")

    # Waiving an aftercare task is a reviewer's of the exit process, not the manager's.
    assert page.locator("#exit-tasks button[data-action=waive]").count() == 0
    switch_user(page, login, "compliance1")
    page.goto(f"/products/{product.pk}/")
    waived = page.locator("#exit-tasks tr[data-task=monitor_complaints]")
    waived.locator("input[name=reason]").fill("并入承接产品的投诉监测")
    with page.expect_navigation():
        waived.locator("button[data-action=waive]").click()
    switch_user(page, login, "pm1")
    page.goto(f"/products/{product.pk}/")
    rows = page.locator("#exit-tasks tr[data-status=open]")
    while rows.count():
        with page.expect_navigation():
            rows.first.locator("button[data-action=done]").click()
    assert "可以提交" in page.inner_text("#exit-blockers")
    tick_deliverables(page)
    with page.expect_navigation():
        page.click("#submit-gate")
    for reviewer in ("compliance1", "finance1", "exec1"):
        approve_in_queue(page, login, reviewer, "WM-001")

    switch_user(page, login, "pm1")
    page.goto(f"/products/{product.pk}/")
    assert "已退出" in page.inner_text("#product-stage")
    page.wait_for_selector("#exit-burndown[data-drawn='1'] canvas")
    assert remaining(page)[-1] == 0
    assert page.locator("#exit-tasks tr[data-status=waived]").count() == 1
    screenshot("exits-product-retired")

    page.goto(f"/products/{Product.objects.get(code='WM-006').pk}/")
    assert "WM-001" in page.inner_text("#exit-arrivals")
    screenshot("exits-successor-arrivals")
    page.goto("/kpis/")
    with page.expect_navigation():
        page.click("#exit-portfolio-link")
    assert page.locator("#exit-portfolio tr[data-product=CC-006]").count() == 1
    screenshot("exits-portfolio")
