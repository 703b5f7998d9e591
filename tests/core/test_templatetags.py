"""core.colours: one home for the badge colours of stored codes."""
from django.template import Context, Template

from core.colours import colour


def test_a_code_takes_its_palettes_colour():
    assert colour("critical", "risk_level") == "red" and colour("P0", "priority") == "red"


def test_an_unknown_code_is_grey():
    assert colour("no-such-stage", "stage") == "secondary"


def test_templates_colour_a_badge_through_the_core_filter():
    rendered = Template('{% load core_tags %}bg-{{ stage|colour:"stage" }}').render(Context({"stage": "operation"}))
    assert rendered == "bg-green"
