"""Every chart page draws its charts through the one chart helper, in Chinese and English at 1366 px, with ECharts
loaded once (the product page's risk and exit panels both draw charts)."""
import pytest

from changes.models import Change
from products.models import Product
from risks.models import Risk

pytestmark = pytest.mark.e2e

CHART_STATE = """() => ({
  drawn: Array.from(document.querySelectorAll("[_echarts_instance_]")).map((el) => el.id || el.className),
  empty: Array.from(document.querySelectorAll("[_echarts_instance_]"))
    .filter((el) => !echarts.getInstanceByDom(el) || !echarts.getInstanceByDom(el).getOption().series.length)
    .map((el) => el.id || el.className),
  echartsScripts: document.querySelectorAll("script[src*='echarts.min.js']").length,
  helperScripts: document.querySelectorAll("script[src*='js/charts.js']").length,
})"""


def chart_pages():
    """(name, path, charts expected at least) of every page that draws charts, from the demo's rows."""
    retiring = Product.objects.get(code="CC-006")
    risk = Risk.objects.filter(assessments__isnull=False).order_by("id").first()
    piloting = Change.objects.filter(pilot_start__isnull=False).order_by("id").first()
    return [
        ("dashboard", "/kpis/", 3),
        ("product-kpis", f"/kpis/products/{Product.objects.get(code='LN-002').pk}/", 1),
        ("risks", "/risks/", 2),
        ("risk-register", f"/risks/products/{risk.product_id}/", 2),
        ("risk-detail", f"/risks/{risk.pk}/", 1),
        ("product-retiring", f"/products/{retiring.pk}/", 3),  # two heatmaps and the exit burn-down
        ("roadmap", "/roadmap/", 1),
        ("complaints", "/complaints/", 1),
        ("change-pilot", f"/changes/{piloting.pk}/", 1),
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_chart_page_draws_its_charts_with_echarts_loaded_once(page, demo_data, login, screenshot,
                                                                    language):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login("head1")
    if not page.evaluate("document.documentElement.lang").startswith(language[:2]):
        with page.expect_navigation():
            page.select_option("#language-switcher select", language)
    for name, path, at_least in chart_pages():
        page.goto(path)
        page.wait_for_selector("[_echarts_instance_] canvas")
        state = page.evaluate(CHART_STATE)
        assert len(state["drawn"]) >= at_least, (name, state)
        assert state["empty"] == [], (name, state)
        assert (state["echartsScripts"], state["helperScripts"]) == (1, 1), (name, state)
        assert page.evaluate("document.documentElement.lang").startswith(language[:2]), name
        screenshot(f"charts-{name}-{language}")
    assert errors == []
