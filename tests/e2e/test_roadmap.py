import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from approvals.models import GateReview
from products.models import Product
from roadmap import services

pytestmark = pytest.mark.e2e

DRAWN = "() => { const c = echarts.getInstanceByDom(document.getElementById('roadmap-chart'));" \
        " return c ? c.getOption().series.map((s) => [s.name, s.data.length]) : null; }"


def _spread_history():
    """The demo is seeded in one go (every product created and walked through its gates today): spread each
    product's creation and approved gates over the past months, so the timeline shows spans."""
    now = timezone.now()
    for index, product in enumerate(Product.objects.order_by("code")):
        created = now - dt.timedelta(days=380 - 9 * index)
        Product.objects.filter(pk=product.pk).update(created_at=created)
        gates = list(GateReview.objects.filter(product=product, process="stage_gate", status="approved")
                     .order_by("decided_at", "id"))
        step = (now - created) / (len(gates) + 1)
        for number, review in enumerate(gates, start=1):
            decided = created + step * number
            GateReview.objects.filter(pk=review.pk).update(decided_at=decided,
                                                           submitted_at=decided - dt.timedelta(days=4 + index % 5))


def _plan_next_stage(username):
    head = get_user_model().objects.get(username=username)
    product = Product.objects.filter(stage="planning").order_by("code").first()
    services.roadmap_plan_set(user=head, product=product, kind="stage", stage="development",
                              target_date=timezone.localdate() - dt.timedelta(days=10), comment="委员会目标")
    return product


def test_head_of_product_reads_the_roadmap_zoomed_to_a_quarter(page, demo_data, login, screenshot):
    _spread_history()
    product = _plan_next_stage("head1")
    login("head1")
    page.goto("/roadmap/?zoom=year")
    page.wait_for_selector("#roadmap-chart canvas")
    screenshot("roadmap-year-zh")
    with page.expect_navigation():
        page.click("#roadmap-zoom a[data-zoom=quarter]")
    page.wait_for_selector("#roadmap-chart canvas")
    assert "zoom=quarter" in page.url
    series = dict(page.evaluate(DRAWN))  # what the chart holds in the rows in view (the y slider filters them)
    data = page.evaluate("() => JSON.parse(document.getElementById('roadmap-data').textContent)")
    live = Product.objects.exclude(stage__in=["retired", "cancelled"]).count()
    assert len({span[0] for span in data["spans"]}) >= live and len(data["plans"]) == 1
    assert series["spans"] >= 20 and series["gates"] >= 1 and data["zoom"] == "quarter"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1366
    assert product.code in page.inner_text("#roadmap-plan-table")
    assert "已逾期" in page.inner_text("#roadmap-plan-table")
    screenshot("roadmap-quarter-zh")

    with page.expect_navigation():
        page.select_option("#language-switcher select", "en")
    page.wait_for_selector("#roadmap-chart canvas")
    assert "Portfolio roadmap" in page.inner_text("h2.page-title")
    assert "Overdue" in page.inner_text("#roadmap-plan-table")
    # (the English navigation bar's right end overflows 1366 px on every page, as on main; the roadmap fits)
    assert page.evaluate("() => document.getElementById('roadmap-chart').getBoundingClientRect().right") <= 1366
    screenshot("roadmap-quarter-en")


def test_the_roadmap_exports_a_png_from_the_page(page, demo_data, login):
    login("head1")
    page.goto("/roadmap/?zoom=quarter&group=stage")
    page.wait_for_selector("#roadmap-chart canvas")
    page.click("#export-menu")
    with page.expect_download() as download:
        page.click("#roadmap-png")
    assert download.value.suggested_filename.endswith(".png")
    with open(download.value.path(), "rb") as image:
        assert image.read(8) == b"\x89PNG\r\n\x1a\n"
