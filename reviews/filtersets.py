"""FilterSets shared by the pages and the API."""
import django_filters
from django.utils.translation import gettext_lazy as _

from products.choices import ProductCategory, RiskRating
from products.models import Product

from .choices import ReviewOutcome, ReviewStatus, ReviewTrigger
from .models import ProductReview


class ProductReviewFilterSet(django_filters.FilterSet):
    product = django_filters.ModelChoiceFilter(queryset=Product.objects.all(), label=_("产品"))
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices, label=_("状态"))
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label=_("到期日不晚于"))
    outcome = django_filters.ChoiceFilter(choices=ReviewOutcome.choices, label=_("评审结论"))
    trigger = django_filters.ChoiceFilter(choices=ReviewTrigger.choices, label=_("触发方式"))
    risk_rating = django_filters.ChoiceFilter(field_name="product__risk_rating", choices=RiskRating.choices,
                                              label=_("风险等级"))
    category = django_filters.ChoiceFilter(field_name="product__category", choices=ProductCategory.choices,
                                           label=_("产品类别"))

    class Meta:
        model = ProductReview
        fields = ["product", "status", "due_before", "outcome", "trigger", "risk_rating", "category"]
