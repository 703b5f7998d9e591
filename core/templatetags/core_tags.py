"""Template helpers shared by the apps: who sees the audit link, stored codes in words, badge colours."""
from django import template
from django.templatetags.static import static
from django.utils.html import format_html_join

from ..audit import field_label, object_type_label, value_label
from ..colours import colour as palette_colour
from ..labels import describe_changes
from ..roles import audit_can_read
from ..roles import can_own_products as _can_own_products
from ..roles import can_review as _can_review

register = template.Library()


@register.filter
def can_read_audit(user) -> bool:
    return audit_can_read(user)


@register.filter
def audit_label(code) -> str:
    return value_label(str(code)) if code not in (None, "") else ""


@register.filter
def object_type_name(model_name: str) -> str:
    return object_type_label(model_name)


@register.filter
def audit_field(field: str, model_name: str) -> str:
    return field_label(model_name, field)


@register.filter
def described(entries):
    """Audit entries with their changes and from/to values in words (core/labels), named in a few queries."""
    entries = list(entries)
    describe_changes(entries)
    return entries


@register.filter
def can_review(user) -> bool:
    return _can_review(user)


@register.filter
def can_own_products(user) -> bool:
    return _can_own_products(user)


@register.filter
def colour(value, palette: str) -> str:
    """A code's Tabler badge colour from one of core.colours' palettes: `{{ product.stage|colour:"stage" }}`."""
    return palette_colour(value, palette)


CHART_LIBRARIES = ("vendor/echarts/echarts.min.js", "js/charts.js")


def _script_tags(context, paths) -> str:
    """Deferred classic scripts (they run in document order, after the page is parsed), each once per page however
    many included panels ask for it."""
    # An included panel's context (an inclusion tag's) keeps the page's request on the RequestContext.
    request = getattr(context, "request", None) or context.get("request")
    loaded = request.__dict__.setdefault("_page_scripts", set()) if request is not None else set()
    new = [path for path in dict.fromkeys(paths) if path not in loaded]
    loaded.update(new)
    return format_html_join("", '<script src="{}" defer></script>', ((static(path),) for path in new))


@register.simple_tag(takes_context=True)
def scripts(context, *paths):
    """A page's scripts: `{% scripts "js/board.js" %}` (static paths)."""
    return _script_tags(context, paths)


@register.simple_tag(takes_context=True)
def chart_scripts(context, *paths):
    """A page's chart scripts, after ECharts and the chart helper (js/charts.js), all loaded once per page: the
    product page's risk and exit panels both draw charts."""
    return _script_tags(context, (*CHART_LIBRARIES, *paths))
