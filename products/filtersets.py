"""One FilterSet serves the product list page and the products API."""
import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import LifecycleStage, ProductCategory, RiskRating, SalesChannelCode
from .models import Product


def product_owners(request):
    return get_user_model().objects.filter(owned_products__isnull=False).distinct().order_by("username")


class ProductFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    category = django_filters.MultipleChoiceFilter(choices=ProductCategory.choices, label=_("产品类别"))
    stage = django_filters.MultipleChoiceFilter(choices=LifecycleStage.choices, label=_("生命周期阶段"))
    risk_rating = django_filters.MultipleChoiceFilter(choices=RiskRating.choices, label=_("风险等级"))
    owner = django_filters.ModelChoiceFilter(queryset=product_owners, label=_("产品经理"))
    channel = django_filters.ChoiceFilter(
        field_name="sales_channels__code", choices=SalesChannelCode.choices, label=_("销售渠道")
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("code", "code"),
            ("name", "name"),
            ("category", "category"),
            ("stage", "stage"),
            ("risk_rating", "risk_rating"),
            ("updated_at", "updated_at"),
            ("created_at", "created_at"),
        ),
        label=_("排序"),
    )

    class Meta:
        model = Product
        fields = ["q", "category", "stage", "risk_rating", "owner", "channel"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__icontains=value) | Q(name__icontains=value) | Q(name_en__icontains=value)
            | Q(description__icontains=value)
        )
