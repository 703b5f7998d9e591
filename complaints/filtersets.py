"""One FilterSet for the complaints page and the API."""
import django_filters
from django.utils.translation import gettext_lazy as _

from products.models import Product

from .choices import ComplaintCategory, ComplaintStatus, RootCause, Severity
from .models import Complaint


class ComplaintFilterSet(django_filters.FilterSet):
    product = django_filters.ModelChoiceFilter(queryset=Product.objects.all(), label=_("产品"))
    status = django_filters.ChoiceFilter(choices=ComplaintStatus.choices, label=_("状态"))
    category = django_filters.ChoiceFilter(choices=ComplaintCategory.choices, label=_("投诉类别"))
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("严重程度"))
    root_cause = django_filters.ChoiceFilter(choices=RootCause.choices, label=_("根本原因"))

    class Meta:
        model = Complaint
        fields = ["product", "status", "category", "severity", "root_cause"]
