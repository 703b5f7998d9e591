"""FilterSets shared by the pages and the API."""
import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import DepartmentCode
from products.models import Product

from .choices import AuditAction, GateReviewStatus
from .models import AuditEntry, GateReview


class GateReviewFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=GateReviewStatus.choices, label=_("状态"))
    department = django_filters.ChoiceFilter(field_name="steps__department", choices=DepartmentCode.choices,
                                             label=_("审批部门"), distinct=True)
    product = django_filters.ModelChoiceFilter(queryset=Product.objects.all(), label=_("产品"))

    class Meta:
        model = GateReview
        fields = ["status", "department", "product"]


class AuditEntryFilterSet(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label=_("操作"))
    actor = django_filters.CharFilter(field_name="actor__username", label=_("操作人"))
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("开始日期"),
                                      widget=forms.DateInput(attrs={"type": "date"}))
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("结束日期"),
                                      widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = AuditEntry
        fields = ["action", "actor", "since", "until"]
