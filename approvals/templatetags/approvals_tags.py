"""Template tags of the approval engine: review snapshots (their sections and values in words) and the product's
approval conditions."""
from django import template

register = template.Library()


@register.inclusion_tag("approvals/_conditions.html", takes_context=True)
def approvals_product_conditions(context, product, limit=20):
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
    """The snapshot's sections with the template each is shown with (approvals/snapshot_sections.py)."""
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
