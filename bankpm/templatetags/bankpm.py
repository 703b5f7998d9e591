"""Template helpers shared by every app's pages."""
from django import forms, template
from django.utils.translation import gettext

register = template.Library()

_CHECK_WIDGETS = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)


@register.filter
def widget_class(bound_field, extra=None):
    """Render a form field with Tabler's classes and its error state."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return bound_field.as_widget(attrs={"class": "form-check-input"})
    if isinstance(widget, _CHECK_WIDGETS):
        return bound_field
    css = "form-select" if isinstance(widget, forms.Select) else "form-control"
    if bound_field.errors:
        css += " is-invalid"
    attrs = {"class": css}
    if isinstance(widget, forms.Select):
        # tom-select points the <label> at its own input, leaving the select it enhances without a name.
        attrs["aria-label"] = str(bound_field.label)
    return bound_field.as_widget(attrs=attrs | (extra or {}))


@register.filter
def filter_widget(bound_field):
    """A filter form's field: a multiple choice left empty says "all" (its picker shows the placeholder)."""
    if isinstance(bound_field.field.widget, forms.SelectMultiple):
        return widget_class(bound_field, {"placeholder": gettext("全部")})
    return widget_class(bound_field)


@register.filter
def is_checkbox_group(bound_field):
    return isinstance(bound_field.field.widget, (forms.CheckboxSelectMultiple, forms.RadioSelect))


@register.filter
def is_checkbox(bound_field):
    return isinstance(bound_field.field.widget, forms.CheckboxInput)


@register.filter
def check_input(choice):
    """One option of a checkbox/radio group, rendered as a Tabler check input."""
    choice.data["attrs"] = {**choice.data.get("attrs", {}), "class": "form-check-input"}
    return choice.tag()


@register.filter
def card_messages_for(mapping, key):
    """The messages a per-card action left for one card (see bankpm.views.card_messages)."""
    return (mapping or {}).get(key, [])


@register.filter
def list_join(items):
    """Items joined with the reader's list separator (、 in Chinese, a comma in English)."""
    from bankpm.text import list_join as join

    return join(items)


@register.filter
def clause_join(items):
    """Messages joined with the reader's clause separator (； in Chinese, a semicolon in English)."""
    from bankpm.text import clause_join as join

    return join(items)


@register.simple_tag
def list_separator():
    from bankpm.text import list_separator as separator

    return separator()


@register.simple_tag
def clause_separator():
    from bankpm.text import clause_separator as separator

    return separator()


@register.simple_tag
def colon():
    """The reader's colon after a label (： in Chinese, ": " in English)."""
    from bankpm.text import colon as reader_colon

    return reader_colon()


def _decimal(value):
    from decimal import Decimal, InvalidOperation

    try:
        number = Decimal(str(value).replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


@register.filter
def grouped(value, digits=None):
    """A number with thousands separators ("64,000", "1,200"); `digits` fixes the decimals, else the value's own
    precision with trailing zeros dropped. An em dash for a missing value; text that is not a number unchanged."""
    if value is None or value == "":
        return "—"
    number = _decimal(value)
    if number is None:
        return value
    if digits is None or digits == "":
        number = number.normalize()
        places = max(-number.as_tuple().exponent, 0)
    else:
        places = int(digits)
    return f"{number:,.{places}f}"


@register.filter
def rate(value):
    """A rate at its precision, at least two decimals: 18.2500 → "18.25%", 0.2 → "0.20%"."""
    if value is None or value == "":
        return "—"
    number = _decimal(value)
    if number is None:
        return value
    places = max(-number.normalize().as_tuple().exponent, 2)
    return f"{number:,.{places}f}%"


@register.filter
def money(value, unit=""):
    """An amount with thousands separators and its unit: "2,000.00 元"."""
    if value is None or value == "":
        return "—"
    number = _decimal(value)
    if number is None:
        return value
    return f"{number:,.2f} {unit}".strip()
