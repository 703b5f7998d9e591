"""Template helpers of the KPI pages and the KPI section of the product page."""
from django import template

from accounts.permissions import can_manage_products

from .. import selectors

register = template.Library()

STATUS_COLOURS = {"green": "green", "amber": "yellow", "red": "red", "none": "secondary"}
ALERT_COLOURS = {"open": "red", "acknowledged": "orange", "resolved": "green"}


@register.filter
def status_colour(status):
    return STATUS_COLOURS.get(str(status), "secondary")


@register.filter
def alert_colour(status):
    return ALERT_COLOURS.get(str(status), "secondary")


@register.filter
def can_view_scorecards(user):
    return selectors.scorecard_can_view(user)


@register.filter
def can_upload_observations(user):
    return can_manage_products(user)


@register.filter
def num(value, digits=2):
    """Thousands separators, fixed decimals, an em dash for missing values."""
    if value is None or value == "":
        return "—"
    return f"{float(value):,.{int(digits)}f}"


@register.filter
def metric_num(value, metric):
    """A figure as its metric's kind wants it: counts as integers, money, rates and scores with two decimals."""
    if value is None or value == "":
        return "—"
    return f"{float(value):,.{metric.decimals}f}"


@register.filter
def metric_value(value, metric):
    """A figure with its unit: "48,248 户", "1,250.50 万元", "2.35%"."""
    if value is None or value == "":
        return "—"
    unit = metric.display_unit
    if unit == "%":
        return f"{metric_num(value, metric)}%"
    return f"{metric_num(value, metric)} {unit}".strip()


STATUS_MARKS = {"green": "✓", "amber": "!", "red": "✕", "none": ""}


@register.filter
def status_mark(status):
    """A shape beside the colour, so that a status is never told by colour alone."""
    return STATUS_MARKS.get(str(status), "")


@register.filter
def pct(value):
    if value is None:
        return "—"
    return f"{float(value):+.1f}%"


@register.inclusion_tag("kpis/_product_summary.html", takes_context=True)
def kpi_product_summary(context, product):
    """Latest month statuses of a product, for the product page."""
    return {"product": product, "snapshots": selectors.product_latest_statuses(product=product),
            "request": context.get("request")}
