"""FilterSets shared by the pages and the API."""
import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.choices import DepartmentCode
from core.filtersets import AuditEntryFilterSet, RegisteredChoices
from products.models import Product

from .choices import GateReviewStatus
from .engine import process_choices
from .models import GateReview

__all__ = ["AuditEntryFilterSet", "GateReviewFilterSet"]


class GateReviewFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=GateReviewStatus.choices, label=_("状态"))
    department = django_filters.ChoiceFilter(field_name="steps__department", choices=DepartmentCode.choices,
                                             label=_("审批部门"), distinct=True)
    product = django_filters.ModelChoiceFilter(queryset=Product.objects.all(), label=_("产品"))
    process = django_filters.ChoiceFilter(choices=RegisteredChoices(process_choices), label=_("流程"))

    class Meta:
        model = GateReview
        fields = ["status", "department", "product", "process"]
