"""A complaint from the feedback inbox through its root cause to a linked requirement; the breakdown charts."""
import pytest

from products.models import Product
from tests.factories import FeedbackFactory, RequirementFactory

pytestmark = pytest.mark.e2e

BARS = "(id) => { const c = echarts.getInstanceByDom(document.getElementById(id));" \
       " return c ? c.getOption().series[0].data.length : 0; }"


def test_a_complaint_goes_from_feedback_through_its_root_cause_to_a_linked_requirement(
        page, demo_data, login, screenshot):
    product = Product.objects.get(code="CC-001")
    feedback = FeedbackFactory(product=product, channel="complaint", text="境外消费被收取未告知的货币转换费",
                               created_by=product.owner)
    RequirementFactory(product=product, title="境外消费费用提示", created_by=product.owner)
    login("pm1")
    page.goto("/requirements/feedback/?channel=complaint")
    page.click(f"#feedback-{feedback.pk} a.feedback-to-complaint")
    page.select_option("select[name=category]", "fees")
    page.select_option("select[name=severity]", "high")
    screenshot("complaints-from-feedback-zh")
    page.click("#register-complaint")
    page.wait_for_selector("#complaint-status")
    assert "待处理" in page.inner_text("#complaint-status")
    page.click("#action-investigate")
    page.wait_for_selector("#action-resolve")
    page.select_option("select[name=root_cause]", "disclosure_docs")
    page.fill("textarea[name=root_cause_text]", "境外交易费用仅在条款附件中说明")
    page.fill("textarea[name=resolution]", "退还转换费并在交易前提示费用")
    page.select_option("select[name=requirements]", label=page.locator(
        "select[name=requirements] option", has_text="境外消费费用提示").inner_text())
    page.click("#save-root-cause")
    page.wait_for_selector("#complaint-links .linked-requirement")
    page.click("#action-resolve")
    page.wait_for_load_state()
    assert "已解决" in page.inner_text("#complaint-status")
    assert "境外消费费用提示" in page.inner_text("#complaint-links")
    screenshot("complaints-detail-resolved-zh")
    page.click("#complaint-links .linked-requirement")
    assert "境外消费费用提示" in page.inner_text("h2.page-title")
    page.goto(f"/complaints/?product={product.pk}")
    page.wait_for_selector("#pareto-chart canvas")
    assert page.evaluate(BARS, "pareto-chart") >= 3
    screenshot("complaints-register-pareto-zh")


def test_the_product_kpi_page_and_the_dashboard_draw_a_breakdown_chart(page, demo_data, login, screenshot):
    product = Product.objects.get(code="CC-001")
    login("head1")
    page.goto(f"/kpis/products/{product.pk}/?dimension=region#breakdown")
    page.wait_for_selector("#breakdown-chart canvas")
    assert page.evaluate(BARS, "breakdown-chart") == 5
    assert page.locator("#breakdown-table tbody tr").count() == 5
    assert "上海" in page.inner_text("#breakdown-table")
    page.locator("#breakdown").scroll_into_view_if_needed()
    screenshot("kpis-breakdown-region-zh")
    page.goto("/kpis/?dimension=segment")
    page.wait_for_selector("#breakdown-chart canvas")
    assert page.evaluate(BARS, "breakdown-chart") >= 2
    screenshot("kpis-dashboard-breakdown-zh")
    page.goto("/kpis/alerts/?status=open")
    assert "目标市场偏离" in page.inner_text("#alert-table")
    screenshot("kpis-alerts-target-market-zh")
