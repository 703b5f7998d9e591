"""One FilterSet per model, used by the pages, the exports and the API alike."""
import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.widgets import IsoDateInput
from products.models import Product

from .choices import (
    FeedbackChannel,
    Priority,
    RequirementSource,
    RequirementStatus,
    RequirementType,
    Sentiment,
    VersionStatus,
)
from .ids import parse_id
from .models import Feedback, ProductVersion, Requirement
from .widgets import FastSelect, FastSelectMultiple, LightModelChoiceField


def _products(request):
    return Product.objects.order_by("code")


def _assignees(request):
    return get_user_model().objects.filter(is_active=True).order_by("username")


def _versions(request):
    """With a product chosen, only its versions; labels carry the product code without loading products."""
    qs = ProductVersion.objects.annotate(product_code=F("product__code")).order_by("product_code", "planned_date")
    product = parse_id(request.GET.get("product", "")) if request is not None else None
    return qs.filter(product_id=product) if product else qs


class _ProductField(LightModelChoiceField, django_filters.fields.ModelChoiceField):
    @property
    def label_fields(self):
        """Code and name in the reader's language (the Chinese name where no English one is set)."""
        if (get_language() or "").startswith("en"):
            return ("code", Coalesce(NullIf(F("name_en"), Value("")), F("name")))
        return ("code", "name")


class _VersionField(LightModelChoiceField, django_filters.fields.ModelChoiceField):
    label_fields = ("product_code", "name")


class _AssigneeIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, label, _username in self.field.option_list():
            yield (ModelChoiceIteratorValue(pk, None), label)


class _AssigneeField(django_filters.fields.ModelChoiceField):
    """Assignees labelled by name; `option_list()` hands the same rows to other drop-downs of the page (the bulk
    form's "assign to"), so that the page reads the users once."""

    iterator = _AssigneeIterator
    _options = None

    def option_list(self) -> list[tuple[int, str, str]]:
        if self._options is None:
            users = self.queryset.only("pk", "username", "first_name", "last_name")
            self._options = [(user.pk, str(user), user.username) for user in users]
        return self._options


class AssigneeChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _AssigneeField


class ProductChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _ProductField


class VersionChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _VersionField


class RequirementFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    product = ProductChoiceFilter(queryset=_products, label=_("产品"), widget=FastSelect)
    status = django_filters.MultipleChoiceFilter(
        choices=RequirementStatus.choices, label=_("状态"), widget=FastSelectMultiple,
    )
    priority = django_filters.MultipleChoiceFilter(
        choices=Priority.choices, label=_("优先级"), widget=FastSelectMultiple,
    )
    source = django_filters.MultipleChoiceFilter(
        choices=RequirementSource.choices, label=_("来源"), widget=FastSelectMultiple,
    )
    type = django_filters.MultipleChoiceFilter(
        choices=RequirementType.choices, label=_("类型"), widget=FastSelectMultiple,
    )
    tag = django_filters.CharFilter(field_name="tags__name", label=_("标签"))
    assignee = AssigneeChoiceFilter(queryset=_assignees, label=_("负责人"), widget=FastSelect)
    target_version = VersionChoiceFilter(queryset=_versions, label=_("目标版本"), widget=FastSelect)
    ordering = django_filters.OrderingFilter(
        fields=(
            ("rice_score", "rice_score"),
            ("priority", "priority"),
            ("due_date", "due_date"),
            ("created_at", "created_at"),
            ("id", "id"),
        ),
        label=_("排序"),
    )

    class Meta:
        model = Requirement
        fields = ["q", "product", "status", "priority", "source", "type", "tag", "assignee", "target_version"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        pk = parse_id(value.lstrip("#"))
        if pk is not None:
            return queryset.filter(Q(pk=pk) | Q(title__icontains=value))
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def filter_queryset(self, queryset):
        return self.stable_order(super().filter_queryset(queryset))

    @classmethod
    def unfiltered(cls, queryset):
        """What filtering with no filter given yields, without building the form (the API's FilterBackend)."""
        return cls.stable_order(queryset)

    @staticmethod
    def stable_order(queryset):
        """A stable order for pagination: the sort key first, then the id."""
        order = list(queryset.query.order_by) or ["-rice_score"]
        if not any(o.lstrip("-") == "id" for o in order):
            last = order[-1] if isinstance(order[-1], str) else ""
            order.append("-id" if last.startswith("-") else "id")
        return queryset.order_by(*order)


class FeedbackFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="text", lookup_expr="icontains", label=_("搜索"))
    product = ProductChoiceFilter(queryset=_products, label=_("产品"), widget=FastSelect)
    channel = django_filters.MultipleChoiceFilter(
        choices=FeedbackChannel.choices, label=_("渠道"), widget=FastSelectMultiple,
    )
    sentiment = django_filters.MultipleChoiceFilter(
        choices=Sentiment.choices, label=_("情感倾向"), widget=FastSelectMultiple,
    )
    # "Any" reads as any, not as Django's "unknown" of a yes/no/unknown choice.
    converted = django_filters.BooleanFilter(
        field_name="requirement", lookup_expr="isnull", exclude=True, label=_("已转化"),
        widget=forms.Select(choices=[("", _("全部")), ("true", _("已转化")), ("false", _("未转化"))]))
    received_after = django_filters.DateFilter(field_name="received_on", lookup_expr="gte", label=_("收到日期起"),
                                               widget=IsoDateInput())
    received_before = django_filters.DateFilter(field_name="received_on", lookup_expr="lte", label=_("收到日期止"),
                                                widget=IsoDateInput())

    class Meta:
        model = Feedback
        fields = ["q", "product", "channel", "sentiment", "converted", "received_after", "received_before"]


class VersionFilterSet(django_filters.FilterSet):
    product = ProductChoiceFilter(queryset=_products, label=_("产品"), widget=FastSelect)
    status = django_filters.MultipleChoiceFilter(
        choices=VersionStatus.choices, label=_("版本状态"), widget=FastSelectMultiple,
    )

    class Meta:
        model = ProductVersion
        fields = ["product", "status"]
