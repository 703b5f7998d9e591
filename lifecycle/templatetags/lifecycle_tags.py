"""Template tags that load the lifecycle panels for pages this app does not own (product page, dashboard)."""
from django import template

from products.choices import LifecycleStage

from .. import selectors, services, waivers
from ..diagram import lifecycle_diagram

register = template.Library()


@register.inclusion_tag("lifecycle/_panel.html", takes_context=True)
def lifecycle_product_panel(context, product):
    user = context["request"].user
    deliverables = list(selectors.product_deliverables(product=product))
    targets = services.stage_targets(product=product)
    labels = dict(LifecycleStage.choices)
    return {
        **gate_review_context(user=user, product=product, deliverables=deliverables),
        "request": context["request"], "deliverables": deliverables,
        "targets": [(t, labels[t]) for t in targets],
        "diagram": lifecycle_diagram(product.stage),
        "can_edit": {d.pk: services.deliverable_can_edit(user=user, deliverable=d) for d in deliverables},
        "can_reopen": services.deliverable_can_reopen(product=product),
        "stage_bar": _stage_bar(product.stage),
        "csrf_token": context.get("csrf_token"),
    }


def gate_review_context(*, user, product, deliverables) -> dict:
    """What the gate review card shows; the card reloads itself with this after each checklist change."""
    review = selectors.open_review_for(product=product)
    can_submit = services.gate_review_can_submit(user=user, product=product)
    return {
        "user": user, "product": product, "review": review, "can_submit": can_submit and review is None,
        "next_stage": services.next_stage(product=product),
        "can_cancel": LifecycleStage.CANCELLED in services.stage_targets(product=product),
        "missing": [d for d in deliverables if d.required and d.status in ("open", "waiver_requested")],
    }


def _stage_bar(current: str) -> list[dict]:
    from products.choices import STAGE_ORDER

    index = STAGE_ORDER.index(current) if current in STAGE_ORDER else -1
    return [{"stage": s, "label": s.label, "done": i < index, "current": s == current}
            for i, s in enumerate(STAGE_ORDER)]


@register.inclusion_tag("lifecycle/_history.html", takes_context=True)
def lifecycle_product_history(context, product, limit=15):
    return {"product": product, "entries": list(selectors.product_history(product=product).order_by("-id")[:limit]),
            "request": context["request"]}


@register.inclusion_tag("lifecycle/_overdue.html", takes_context=True)
def lifecycle_dashboard_panel(context, limit=10):
    """Overdue gate-review steps; needs nothing from the page but the request."""
    steps = selectors.overdue_steps()
    return {"steps": list(steps[:limit]), "total": steps.count(), "request": context["request"]}


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


def _value_labels() -> dict:
    from accounts.choices import DepartmentCode

    from ..choices import Decision, DeliverableStatus, GateReviewStatus

    labels = {}
    for choices in (LifecycleStage, DepartmentCode, DeliverableStatus, Decision, GateReviewStatus):
        labels.update(dict(choices.choices))
    return labels


@register.filter
def audit_value(value):
    """Show stored codes (stages, departments, statuses) in the reader's language."""
    return _value_labels().get(value, value)


@register.filter
def term_label(name: str) -> str:
    """The product field's verbose name for a term key of a review snapshot (the key itself when unknown)."""
    from django.core.exceptions import FieldDoesNotExist

    from products.models import Product

    try:
        return str(Product._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


@register.filter
def snapshot_extra(snapshot: dict) -> list[tuple[str, object]]:
    """Sections other processes or apps added to a snapshot, beyond product, terms and deliverables."""
    known = {"product", "terms", "deliverables", "from_stage", "to_stage", "diff", "change"}
    return [(key, value) for key, value in (snapshot or {}).items() if key not in known and value not in (None, {}, [])]


@register.filter
def can_decide_waiver(user, deliverable):
    """Whether the reader may approve or refuse the item's requested waiver (lifecycle.waivers)."""
    return waivers.waiver_can_decide(user=user, deliverable=deliverable)
