"""Select widgets that build their options as strings.

Django renders every <option> through a template (~0.1–0.2 ms each); the backlog filters list every product,
version and user, which made the template the slowest part of the backlog page with 500 products.
"""
from html import escape as html_escape  # what django.utils.html.escape does, without its lazy-string check

from django import forms
from django.forms.models import ModelChoiceField, ModelChoiceIterator, ModelChoiceIteratorValue
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class _StringOptionsMixin:
    """Options written straight from `choices` (no option dicts: 500 products made 500 of them per drop-down);
    markup and selection as Select's own (the first match only, unless multiple)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        if self.allow_multiple_selected:
            widget["attrs"]["multiple"] = True
        values, has_selected = widget["value"], False
        parts = [format_html("<select name=\"{}\"{}>", widget["name"], flatatt(widget["attrs"]))]
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):  # option groups: Django's own rendering
                return super().render(name, value, attrs, renderer)
            option_value = "" if option_value is None else option_value
            selected = (not has_selected or self.allow_multiple_selected) and str(option_value) in values
            has_selected |= selected
            parts.append(f'<option value="{html_escape(str(option_value))}"{" selected" if selected else ""}>'
                         f"{html_escape(str(label))}</option>")
        parts.append("</select>")
        return mark_safe("".join(parts))


class FastSelect(_StringOptionsMixin, forms.Select):
    pass


class FastSelectMultiple(_StringOptionsMixin, forms.SelectMultiple):
    pass


class LabelValuesIterator(ModelChoiceIterator):
    """Options from `values_list("pk", *label_fields)`: no model instances (a Product row costs its FSM set-up)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        fields = self.field.label_fields
        # A page may offer fewer options than the field accepts (e.g. versions only once a product is chosen).
        queryset = getattr(self.field, "option_queryset", None)
        queryset = self.queryset if queryset is None else queryset
        for pk, *labels in queryset.values_list("pk", *fields):
            yield (ModelChoiceIteratorValue(pk, None), " ".join(str(label) for label in labels if label))


class LightModelChoiceField(ModelChoiceField):
    """A ModelChoiceField whose options are labelled from columns; validation still returns the instance."""

    iterator = LabelValuesIterator
    label_fields = ("pk",)
