"""Browser walk of the risk register: pm2 registers three risks on a loan in development, sees them on the
heatmap, is refused the launch gate for the missing compliance risk, registers it, and submits."""
import pytest

from accounts.models import User
from lifecycle import services as lifecycle
from lifecycle.models import Deliverable
from products.models import Product

pytestmark = pytest.mark.e2e


@pytest.fixture
def loan(demo_data):
    owner = User.objects.get(username="pm2")
    product = Product.objects.create(code="LN-E2E", name="科创信用贷", category="loan", owner=owner,
                                     risk_rating="R3", stage="development")
    lifecycle.deliverables_ensure(product=product)
    for item in Deliverable.objects.filter(product=product, stage="development"):
        lifecycle.deliverable_update(user=owner, deliverable=item, status="done")
    return product


def register(page, product, title, category, scores, residual, control=("", "")):
    page.goto(f"/risks/products/{product.pk}/new/")
    page.fill("#id_title", title)
    page.select_option("#id_category", category)
    page.select_option("#id_response", "mitigate" if control[0] else "accept")
    page.fill("#id_likelihood", str(scores[0]))
    page.fill("#id_impact", str(scores[1]))
    page.fill("#id_residual_likelihood", str(residual[0]))
    page.fill("#id_residual_impact", str(residual[1]))
    if control[0]:
        page.fill("#id_controls-0-description", control[0])
        page.select_option("#id_controls-0-type", control[1])
    with page.expect_navigation():
        page.click("#risk-save")
    assert page.locator("#risk-status").count() == 1, page.inner_text("body")[:500]


def test_register_three_risks_see_them_on_the_heatmap_and_pass_the_launch_gate(page, loan, login, screenshot):
    login("pm2")
    register(page, loan, "借款人违约风险", "credit", (3, 4), (2, 3), ("准入评分卡与收入核验", "preventive"))
    register(page, loan, "放款操作差错", "operational", (2, 3), (2, 2), ("放款双人复核", "preventive"))
    register(page, loan, "集中投诉引发舆情", "reputational", (2, 3), (2, 3))
    screenshot("risks-detail")

    page.goto(f"/products/{loan.pk}/")
    section = page.locator("#risk-register-section")
    inherent = section.locator("[data-basis=inherent] .risk-heatmap-total")
    assert inherent.inner_text() == "3"
    assert section.locator("table[data-basis=inherent] td[data-likelihood='3'][data-impact='4']").inner_text() == "1"
    page.wait_for_selector("#risk-register-section [data-basis=inherent] canvas")
    assert "缺少已评估的合规风险" in section.locator("#risk-launch-problems").inner_text()
    screenshot("risks-product-section")

    with page.expect_navigation():
        page.click("#submit-gate")
    assert "缺少已评估的合规风险" in page.inner_text(".alert-danger")
    assert page.locator("#review-steps").count() == 0

    register(page, loan, "反洗钱与客户身份识别", "compliance", (2, 4), (1, 4), ("KYC 分级尽调", "preventive"))
    page.goto(f"/risks/products/{loan.pk}/")
    assert page.locator("#risk-table tbody tr[data-risk]").count() == 4
    page.wait_for_selector("[data-basis=residual] canvas")
    screenshot("risks-register")
    page.goto(f"/products/{loan.pk}/")
    with page.expect_navigation():
        page.click("#submit-gate")
    assert page.locator("#review-steps tr[data-department=risk]").count() == 1
    screenshot("risks-launch-gate-submitted")


def test_portfolio_heatmap_cell_click_filters_the_register(page, demo_data, login, screenshot):
    login("risk1")
    page.goto("/risks/")
    chart = page.locator("[data-basis=inherent] .risk-heatmap-chart")
    page.wait_for_selector("[data-basis=inherent] .risk-heatmap-chart canvas")
    screenshot("risks-portfolio")
    box = chart.bounding_box()
    # The grid spans the chart between its margins (48 px left, 8 right, 8 top, 40 bottom); the top-right cell
    # is likelihood 5 x impact 5.
    x = box["x"] + 48 + (box["width"] - 56) * 0.9
    y = box["y"] + 8 + (box["height"] - 48) * 0.1
    with page.expect_navigation():
        page.mouse.click(x, y)
    assert "likelihood=5" in page.url and "impact=5" in page.url
