"""The audit trail's FilterSet, shared by the audit pages and the API."""
import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .audit import action_choices
from .models import AuditEntry


class AuditEntryFilterSet(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(choices=action_choices, label=_("操作"))
    actor = django_filters.CharFilter(field_name="actor__username", label=_("操作人"))
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("开始日期"),
                                      widget=forms.DateInput(attrs={"type": "date"}))
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("结束日期"),
                                      widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = AuditEntry
        fields = ["action", "actor", "since", "until"]
