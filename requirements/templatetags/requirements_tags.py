"""Template helpers of the backlog, and the product page's backlog section (inclusion tag)."""
from django import template

from .. import selectors
from ..choices import RequirementStatus

register = template.Library()

STATUS_COLOURS = {
    "new": "azure", "analysing": "cyan", "confirmed": "indigo", "scheduled": "purple", "in_development": "orange",
    "delivered": "green", "rejected": "red", "deferred": "secondary",
}
PRIORITY_COLOURS = {"P0": "red", "P1": "orange", "P2": "blue", "P3": "secondary"}
SENTIMENT_COLOURS = {"positive": "green", "neutral": "secondary", "negative": "red"}


@register.filter
def status_colour(status):
    return STATUS_COLOURS.get(str(status), "secondary")


@register.filter
def priority_colour(priority):
    return PRIORITY_COLOURS.get(str(priority), "secondary")


@register.filter
def sentiment_colour(sentiment):
    return SENTIMENT_COLOURS.get(str(sentiment), "secondary")


@register.inclusion_tag("requirements/_product_backlog.html", takes_context=True)
def product_backlog(context, product):
    """Counts by status and the top open items by RICE for the product page (two queries)."""
    counts = selectors.requirement_status_counts(product=product)
    return {
        "product": product,
        "counts": [(status, RequirementStatus(status).label, counts[status]) for status in RequirementStatus.values],
        "total": sum(counts.values()),
        "top": selectors.requirement_top_open(product=product),
        "request": context.get("request"),
    }
