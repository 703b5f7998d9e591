"""Template tags that load the lifecycle panels for pages this app does not own (product page, dashboard)."""
from django import template

from core.roles import audit_product_can_read
from products.choices import LifecycleStage

from .. import selectors, services, waivers
from ..diagram import lifecycle_diagram
from ..engine import PRODUCT_TERMS

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
    review = selectors.open_review_for(product=product, scope=PRODUCT_TERMS)
    can_submit = services.gate_review_can_submit(user=user, product=product)
    return {
        "user": user, "product": product, "review": review, "can_submit": can_submit and review is None,
        "next_stage": services.next_stage(product=product),
        "can_cancel": LifecycleStage.CANCELLED in services.stage_targets(product=product),
        "missing": [d for d in deliverables if d.required and d.status in ("open", "waiver_requested")],
        **_past_reviews(product=product, open_review=review),
    }


def _past_reviews(*, product, open_review) -> dict:
    """The product's decided reviews, newest first, with who rejected and why; the last one when it was rejected
    and nothing is open (the manager answers it on resubmission)."""
    from ..choices import GateReviewStatus, StepStatus
    from ..models import ApprovalStep, GateReview

    past = list(GateReview.objects.filter(product=product).exclude(status=GateReviewStatus.PENDING)
                .select_related("submitted_by").order_by("-submitted_at", "-id")[:10])
    # Always two queries, whatever the history holds (a prefetch would skip its query for an empty history).
    rejections = ApprovalStep.objects.filter(review__in=[r.pk for r in past] or [0], status=StepStatus.REJECTED)
    by_review: dict[int, list] = {}
    for step in rejections.select_related("decided_by").order_by("position", "id"):
        by_review.setdefault(step.review_id, []).append(step)
    for r in past:
        r.rejections = by_review.get(r.pk, [])
    last = past[0] if past and open_review is None and past[0].status == GateReviewStatus.REJECTED else None
    return {"past_reviews": past, "last_rejected": last}


def _stage_bar(current: str) -> list[dict]:
    from products.choices import STAGE_ORDER

    index = STAGE_ORDER.index(current) if current in STAGE_ORDER else -1
    return [{"stage": s, "label": s.label, "done": i < index, "current": s == current}
            for i, s in enumerate(STAGE_ORDER)]


@register.inclusion_tag("lifecycle/_history.html", takes_context=True)
def lifecycle_product_history(context, product, limit=15):
    """The product page's last entries, only for who may read the product's trail (core.roles)."""
    user = context["request"].user
    if not audit_product_can_read(user=user, product=product):
        return {"product": product, "hidden": True, "request": context["request"]}
    entries = selectors.product_history(product=product, user=user).order_by("-id")[:limit]
    return {"product": product, "entries": list(entries), "request": context["request"]}


@register.inclusion_tag("lifecycle/_conditions.html", takes_context=True)
def lifecycle_product_conditions(context, product, limit=20):
    """The product's approval conditions (open first), with the actions the reader may take on each."""
    from ..conditions import condition_can_complete, condition_can_waive
    from ..models import Condition

    user = context["request"].user
    rows = list(Condition.objects.filter(product=product).select_related("owner", "review", "product")
                .order_by("status", "due", "id")[:limit])
    for row in rows:
        row.can_done = row.status == "open" and condition_can_complete(user=user, condition=row)
        row.can_waive = row.status == "open" and condition_can_waive(user=user, condition=row)
    return {"product": product, "conditions": rows, "request": context["request"]}


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
def snapshot_sections(snapshot: dict) -> list[dict]:
    """The snapshot's sections with the template each is shown with (lifecycle/snapshot_sections.py)."""
    from ..snapshot_sections import snapshot_sections as sections

    return sections(snapshot)


@register.filter
def label_of(value, spec: str) -> str:
    """A stored value in words through the label registry: `{{ value|label_of:"risk.category" }}`."""
    from core.labels import value_text

    model, _sep, field = spec.partition(".")
    return value_text(value, model=model, field=field)


@register.filter
def section_title(key: str) -> str:
    from django.utils.translation import gettext as _

    titles = {"product": _("产品"), "change": _("条款变更"), "diff": _("条款差异"), "terms": _("产品条款"),
              "deliverables": _("交付物"), "risk_register": _("风险登记册"), "exit_plan": _("退出计划")}
    from core.labels import field_label

    from ..snapshot_sections import SECTION_TITLES

    return titles.get(key) or str(SECTION_TITLES.get(key) or "") or field_label("gatereview", key)


@register.filter
def term_text(value, field: str) -> str:
    """A product term of a snapshot in words (segments, channels, ratings by their labels)."""
    from core.labels import value_text

    return value_text(value, model="product", field=field)


@register.filter
def can_decide_waiver(user, deliverable):
    """Whether the reader may approve or refuse the item's requested waiver (lifecycle.waivers)."""
    return waivers.waiver_can_decide(user=user, deliverable=deliverable)
