"""One FilterSet serves the register pages (per product and portfolio), the API list and the heatmap."""
import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .choices import RiskCategory, RiskLevel, RiskStatus
from .models import Risk


def risk_owners(request):
    return get_user_model().objects.filter(owned_risks__isnull=False).distinct().order_by("username")


def scale_filter(field, label):
    return django_filters.ChoiceFilter(field_name=field, choices=[(n, str(n)) for n in range(1, 6)], label=label)


class RiskFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("搜索"))
    product = django_filters.CharFilter(field_name="product__code", label=_("产品代码"))
    category = django_filters.MultipleChoiceFilter(choices=RiskCategory.choices, label=_("风险类别"))
    level = django_filters.MultipleChoiceFilter(field_name="inherent_level", choices=RiskLevel.choices,
                                                label=_("固有风险等级"))
    residual_level = django_filters.MultipleChoiceFilter(choices=RiskLevel.choices, label=_("剩余风险等级"))
    status = django_filters.MultipleChoiceFilter(choices=RiskStatus.choices, label=_("状态"))
    # "Any" reads as any, not as Django's "unknown" of a yes/no/unknown choice.
    overdue = django_filters.BooleanFilter(label=_("评估逾期"), widget=forms.Select(
        choices=[("", _("全部")), ("true", _("已逾期")), ("false", _("未逾期"))]))
    owner = django_filters.ModelChoiceFilter(queryset=risk_owners, label=_("风险负责人"))
    likelihood = scale_filter("likelihood", _("可能性"))
    impact = scale_filter("impact", _("影响程度"))
    residual_likelihood = scale_filter("residual_likelihood", _("剩余可能性"))
    residual_impact = scale_filter("residual_impact", _("剩余影响程度"))
    ordering = django_filters.OrderingFilter(
        fields=(("title", "title"), ("product__code", "product"), ("category", "category"),
                ("inherent_score", "inherent_score"), ("residual_score", "residual_score"), ("status", "status"),
                ("review_due", "review_due"), ("updated_at", "updated_at")),
        label=_("排序"),
    )

    class Meta:
        model = Risk
        fields = ["q", "product", "category", "level", "residual_level", "status", "overdue", "owner"]
