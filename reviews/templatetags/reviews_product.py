"""The product page's periodic review panel (registered as a product section)."""
from django import template
from django.utils import timezone

from products.choices import LifecycleStage

from .. import selectors, services
from ..choices import ReviewStatus

register = template.Library()


@register.simple_tag
def periodic_review_panel(product) -> dict | None:
    """Next due date, running review and last decided review of a product that is or was in operation."""
    reviews = selectors.review_list().filter(product=product)
    if product.stage != LifecycleStage.OPERATION and not reviews.exists():
        return None
    next_due = services.next_review_due(product=product)
    running = selectors.open_review_of(product=product)
    return {"next_due": next_due, "overdue": bool(next_due and next_due < timezone.localdate()),
            "cadence": services.cadence_for(risk_rating=product.risk_rating, category=product.category),
            "open": running,
            "last": reviews.filter(status=ReviewStatus.DECIDED).order_by("-decided_at").first()}
