"""FilterSets shared by the pages and the API."""
import django_filters
from django.utils.translation import gettext_lazy as _

from products.models import Product

from .choices import ChangeStatus
from .models import Change


class ChangeFilterSet(django_filters.FilterSet):
    product = django_filters.ModelChoiceFilter(queryset=Product.objects.all(), label=_("产品"))
    status = django_filters.ChoiceFilter(choices=ChangeStatus.choices, label=_("状态"))

    class Meta:
        model = Change
        fields = ["product", "status"]
