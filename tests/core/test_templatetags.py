"""core_tags: badge colours of stored codes (core.colours) and a page's scripts, each loaded once."""
from django.template import Context, Template

from core.colours import colour


def test_a_code_takes_its_palettes_colour():
    assert colour("critical", "risk_level") == "red" and colour("P0", "priority") == "red"


def test_an_unknown_code_is_grey():
    assert colour("no-such-stage", "stage") == "secondary"


def test_templates_colour_a_badge_through_the_core_filter():
    rendered = Template('{% load core_tags %}bg-{{ stage|colour:"stage" }}').render(Context({"stage": "operation"}))
    assert rendered == "bg-green"


def render_with_request(source: str) -> str:
    from django.template import RequestContext
    from django.test import RequestFactory

    return Template("{% load core_tags %}" + source).render(RequestContext(RequestFactory().get("/")))


def test_a_pages_scripts_are_deferred_classic_scripts():
    assert render_with_request('{% scripts "js/board.js" %}') == '<script src="/static/js/board.js" defer></script>'


def test_echarts_and_the_chart_helper_come_before_a_chart_script():
    html = render_with_request('{% chart_scripts "risks/risks.js" %}')
    assert html.index("echarts.min.js") < html.index("js/charts.js") < html.index("risks/risks.js")


def test_echarts_is_loaded_once_however_many_panels_ask_for_it():
    html = render_with_request('{% chart_scripts "risks/risks.js" %}{% chart_scripts "exits/burndown.js" %}')
    assert html.count("echarts.min.js") == 1 and html.count("js/charts.js") == 1 and "exits/burndown.js" in html
