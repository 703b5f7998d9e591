"""The audit trail's FilterSet, shared by the audit pages and the API."""
import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.widgets import IsoDateInput

from .audit import action_choices, object_type_choices
from .models import AuditEntry


class RegisteredChoices:
    """Choices that apps register at start-up, read each time they are iterated. Unlike a callable, the schema
    generator iterates them too, so the API declares the codes it accepts."""

    def __init__(self, read):
        self.read = read

    def __iter__(self):
        return iter(self.read())


class AuditEntryFilterSet(django_filters.FilterSet):
    product = django_filters.CharFilter(method="filter_product", label=_("产品（代码或编号）"))
    object_type = django_filters.ChoiceFilter(choices=RegisteredChoices(object_type_choices), label=_("对象类型"))
    action = django_filters.ChoiceFilter(choices=RegisteredChoices(action_choices), label=_("操作"))
    actor = django_filters.CharFilter(field_name="actor__username", label=_("操作人"))
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("开始日期"),
                                      widget=IsoDateInput())
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("结束日期"),
                                      widget=IsoDateInput())

    class Meta:
        model = AuditEntry
        fields = ["product", "object_type", "action", "actor", "since", "until"]

    def filter_product(self, queryset, name, value):
        """A product code (`CC-001`) or its numeric id."""
        value = value.strip()
        match = Q(product__code=value)
        if value.isascii() and value.isdecimal() and len(value) < 19:
            match |= Q(product_id=int(value))
        return queryset.filter(match)
