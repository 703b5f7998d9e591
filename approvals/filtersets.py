"""FilterSets of the approval engine shared by the pages and the API."""
import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.choices import DepartmentCode
from core.filtersets import RegisteredChoices
from products.models import Product

from .choices import ConditionStatus, GateReviewStatus
from .engine import process_choices
from .models import Condition, GateReview

__all__ = ["ConditionFilterSet", "GateReviewFilterSet"]


class GateReviewFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=GateReviewStatus.choices, label=_("状态"))
    department = django_filters.ChoiceFilter(field_name="steps__department", choices=DepartmentCode.choices,
                                             label=_("审批部门"), distinct=True)
    product = django_filters.ModelChoiceFilter(queryset=Product.objects.all(), label=_("产品"))
    process = django_filters.ChoiceFilter(choices=RegisteredChoices(process_choices), label=_("流程"))

    class Meta:
        model = GateReview
        fields = ["status", "department", "product", "process"]


class ConditionFilterSet(django_filters.FilterSet):
    """`?product=&status=&owner=&review=` on approval conditions."""

    status = django_filters.ChoiceFilter(choices=ConditionStatus.choices, label=_("状态"))
    product = django_filters.NumberFilter(field_name="product_id", label=_("产品"))
    owner = django_filters.NumberFilter(field_name="owner_id", label=_("负责人"))
    review = django_filters.NumberFilter(field_name="review_id", label=_("评审"))

    class Meta:
        model = Condition
        fields = ["status", "product", "owner", "review"]
