"""Template tags that load the changes panels for the product page (which this app does not own)."""
from django import template

from bankpm.text import list_join
from products.choices import CustomerSegment, RiskRating, SalesChannelCode
from products.terms import TERM_FIELDS

from .. import selectors, services

register = template.Library()


def _version_number(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@register.inclusion_tag("changes/_product_panel.html", takes_context=True)
def changes_product_panel(context, product):
    """The product's changes, its terms history, and two versions side by side (?va=&vb= on the product page)."""
    request = context["request"]
    versions = list(selectors.terms_versions(product=product))
    numbers = [v.version for v in versions]
    va = _version_number(request.GET.get("va"), numbers[1] if len(numbers) > 1 else None)
    vb = _version_number(request.GET.get("vb"), numbers[0] if numbers else None)
    by_number = {v.version: v for v in versions}
    left, right = by_number.get(va), by_number.get(vb)
    comparison = []
    if left and right:
        comparison = [{"field": name, "left": left.terms.get(name), "right": right.terms.get(name),
                       "changed": left.terms.get(name) != right.terms.get(name)} for name in TERM_FIELDS]
    frozen = services.terms_frozen(product=product)
    can_edit = services.product_can_edit(user=request.user, product=product)
    return {
        "product": product, "request": request, "changes": list(selectors.changes_for_product(product=product)),
        "versions": versions, "left": left, "right": right, "comparison": comparison, "frozen": frozen,
        "can_propose": can_edit and frozen and not selectors.open_change_exists(product=product),
    }


@register.filter
def term_value(value, field=""):
    """A JSON term value for display: codes by their label (segments, channels, risk), lists joined, empty as a
    dash."""
    if value is None or value == "" or value == []:
        return "—"
    labels = {name: dict(choices.choices) for name, choices in (
        ("customer_segment", CustomerSegment), ("excluded_segments", CustomerSegment),
        ("sales_channels", SalesChannelCode), ("risk_rating", RiskRating))}
    names = labels.get(field, {})
    if isinstance(value, list):
        return list_join(names.get(v, v) for v in value)
    return names.get(value, value)
