"""One FilterSet per list, shared by the pages and the API."""
import django_filters
from django.utils.translation import gettext_lazy as _

from products.models import Product

from .choices import AlertStatus, Granularity, KpiFamily, SnapshotStatus
from .models import Alert, Metric, Snapshot


class SnapshotFilterSet(django_filters.FilterSet):
    product = django_filters.CharFilter(field_name="product__code", label=_("产品代码"))
    metric = django_filters.CharFilter(field_name="metric__code", label=_("指标代码"))
    period = django_filters.CharFilter(field_name="period", label=_("周期"))
    granularity = django_filters.ChoiceFilter(choices=Granularity.choices, label=_("周期类型"))
    status = django_filters.ChoiceFilter(choices=SnapshotStatus.choices, label=_("状态"))

    class Meta:
        model = Snapshot
        fields = ["product", "metric", "period", "granularity", "status"]


class AlertFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AlertStatus.choices, label=_("状态"))
    product = django_filters.ModelChoiceFilter(queryset=Product.objects.all(), label=_("产品"))
    metric = django_filters.ModelChoiceFilter(queryset=Metric.objects.all(), label=_("指标"))
    family = django_filters.ChoiceFilter(field_name="metric__family", choices=KpiFamily.choices, label=_("指标类别"))

    class Meta:
        model = Alert
        fields = ["status", "product", "metric", "family"]
