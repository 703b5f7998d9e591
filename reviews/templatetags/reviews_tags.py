"""Filters of the periodic review pages and pack: the KPI trend as inline SVG (the page and the PDF alike, no
script), names stored in both languages, dimension members and figures."""
from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from kpis.dimensions import member_label

register = template.Library()

COLOURS = {"green": "#2fb344", "amber": "#f59f00", "red": "#d63939"}


def _english() -> bool:
    return (get_language() or "").startswith("en")


@register.filter
def bilingual(item, field: str = "name") -> str:
    """`item[field]`, or `item[field_en]` for English readers when it has one."""
    if not isinstance(item, dict):
        return ""
    return (item.get(f"{field}_en") if _english() else None) or item.get(field) or ""


@register.filter
def dim_label(member: str, dimension: str) -> str:
    return member_label(dimension, member)


@register.filter
def figure(value, decimals=2) -> str:
    if value is None or value == "":
        return "—"
    try:
        return f"{float(value):,.{int(decimals)}f}"
    except (TypeError, ValueError):
        return str(value)


@register.filter
def trend_svg(points, width: int = 220) -> str:
    """A month-by-month line of a metric's values with its target as a dashed line and each month's status as a
    coloured dot (with a shape in the title, never colour alone)."""
    values = [p.get("value") for p in points or []]
    targets = [p.get("target") for p in points or []]
    known = [v for v in values + targets if v is not None]
    if not known:
        return ""
    height, pad = 48, 5
    low, high = min(known), max(known)
    span = (high - low) or abs(high) or 1.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def y(value):
        return round(height - pad - (value - low) / span * (height - 2 * pad), 1)

    def line(series, **attrs):
        coords = [f"{round(pad + i * step, 1)},{y(v)}" for i, v in enumerate(series) if v is not None]
        if len(coords) < 2:
            return ""
        extra = " ".join(f'{k.replace("_", "-")}="{v}"' for k, v in attrs.items())
        return f'<polyline fill="none" points="{" ".join(coords)}" {extra}/>'

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="kpi-trend" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img">',
             line(targets, stroke="#94a3b8", stroke_width=1, stroke_dasharray="3 2"),
             line(values, stroke="#206bc4", stroke_width=1.5)]
    for index, point in enumerate(points):
        if point.get("value") is None:
            continue
        colour = COLOURS.get(point.get("status"), "#64748b")
        title = escape(f"{point.get('period')}: {point.get('value'):g}")
        parts.append(f'<circle cx="{round(pad + index * step, 1)}" cy="{y(point["value"])}" r="2.5" '
                     f'fill="{colour}"><title>{title}</title></circle>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (numbers and escaped titles only)


@register.filter
def market_tables(value) -> list[tuple[str, list, str]]:
    """The pack's sales tables: (title, rows, dimension) by segment, then by channel."""
    from django.utils.translation import gettext as _

    value = value if isinstance(value, dict) else {}
    return [(_("客群"), value.get("segments") or [], "segment"),
            (_("渠道"), value.get("by_channel") or [], "channel")]


@register.filter
def step_outcome(step) -> str:
    """The outcome an approving step chose, in words ("—" for a rejection or none)."""
    from ..choices import ReviewOutcome

    code = getattr(step, "outcome", "") or ""
    return str(ReviewOutcome(code).label) if code in ReviewOutcome.values else "—"
