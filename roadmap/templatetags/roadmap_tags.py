"""The product page's target-date panel."""
from django import template
from django.utils import timezone

from products.choices import STAGE_ORDER

from ..choices import PlanKind
from ..models import RoadmapPlan
from ..selectors import _slip
from ..services import roadmap_plan_can_set

register = template.Library()


@register.inclusion_tag("roadmap/_plans_panel.html", takes_context=True)
def roadmap_plans_panel(context, product):
    """Target dates of the product with their slip; the form for its next stages (for its manager)."""
    today = timezone.localdate()
    plans = list(RoadmapPlan.objects.filter(product=product).order_by("target_date", "id"))
    entered = product_stage_days(product)
    versions = dict(product.terms_versions.values_list("version", "effective_from"))
    rows = []
    for plan in plans:
        actual = entered.get(plan.stage) if plan.kind == PlanKind.STAGE else versions.get(plan.version)
        rows.append({"plan": plan, "actual": actual, **_slip(plan.target_date, actual, today)})
    position = STAGE_ORDER.index(product.stage) if product.stage in STAGE_ORDER else len(STAGE_ORDER)
    user = context["request"].user
    return {"product": product, "rows": rows, "request": context["request"],
            "can_set": roadmap_plan_can_set(user=user, product=product),
            "next_stages": [(s.value, s.label) for s in STAGE_ORDER[position + 1:]],
            "next_version": max(versions, default=0) + 1}


def product_stage_days(product) -> dict:
    from lifecycle.choices import STAGE_GATE, GateReviewStatus

    rows = product.gate_reviews.filter(process=STAGE_GATE, status=GateReviewStatus.APPROVED).order_by(
        "decided_at").values_list("to_stage", "decided_at")
    days = {}
    for stage, decided in rows:
        days.setdefault(stage, timezone.localdate(decided))
    return days
