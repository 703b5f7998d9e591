"""Every main page passes axe-core (the npm package, pinned in package.json) with no serious or critical violation.

axe is evaluated through the browser's debugging protocol, which the page's CSP (script-src 'self') does not govern.
"""
from pathlib import Path

import pytest

from products.models import Product

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
}"""


def serious_violations(page) -> list[str]:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm install` (axe-core is pinned in package.json)")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(SERIOUS)


@pytest.mark.parametrize(("username", "language"), [("pm1", "zh-hans"), ("finance1", "en")])
def test_main_pages_have_no_serious_accessibility_violations(page, demo_data, login, screenshot, username,
                                                             language):
    login(username)
    if language != "zh-hans":
        with page.expect_navigation():
            page.select_option("#language-switcher select", language)
    product = Product.objects.get(code="CC-005")
    pages = ["/kpis/", "/products/", f"/products/{product.pk}/", f"/kpis/products/{product.pk}/", "/requirements/",
             f"/requirements/board/?product={product.pk}", "/lifecycle/reviews/", "/lifecycle/my-products/",
             "/kpis/alerts/", "/notifications/", "/search/?q=CC"]
    found = {}
    for path in pages:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        violations = serious_violations(page)
        if violations:
            found[path] = violations
    screenshot(f"a11y-last-page-{username}")
    assert found == {}
