"""API shapes of the backlog; validation is Model.clean() (StrictModelSerializer) plus the services."""
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.validators import UniqueTogetherValidator

from bankpm.api.serializers import FastReadMixin, StrictModelSerializer, StrictSerializer
from bankpm.validators import validate_single_line
from products.models import Product

from .. import services
from ..choices import IMPACT_CHOICES, RequirementTransition, UnfinishedScope
from ..ids import parse_id
from ..models import Feedback, ProductVersion, Requirement


class TagListField(serializers.ListField):
    """Tags are written as a list of names and read from the prefetched relation."""

    child = serializers.CharField(max_length=40, validators=[validate_single_line])

    def get_attribute(self, instance):
        return instance.tag_name_list

    def to_representation(self, data):
        return list(data)


class ProductCodeField(serializers.CharField):
    """The product's code: the backlog selector's `product_code` column when the row has it, else the product."""

    def get_attribute(self, instance):
        code = instance.__dict__.get("product_code")
        return code if code is not None else super().get_attribute(instance)


class ImpactField(serializers.Field):
    """The RICE impact as the number the API answers with (2.0), accepted as 2, 2.0 or "2.00" alike."""

    default_error_messages = {"invalid_choice": _("“%(input)s” 不是合法选项：可选 3, 2, 1, 0.5, 0.25。")}

    def to_internal_value(self, data):
        try:
            value = Decimal(str(data)) if isinstance(data, int | float | str) and not isinstance(data, bool) else None
        except InvalidOperation:
            value = None
        for choice, _label in IMPACT_CHOICES:
            if value is not None and value.is_finite() and value == choice:
                return choice
        self.fail("invalid_choice", input=str(data)[:20])

    def to_representation(self, value):
        return float(value)


# The scale's spellings ("3", "0.5", ...): what a request declares, as a string enum every client generator reads
# (openapi-python-client refuses a number enum). The server still takes the numbers too.
IMPACT_VALUES = [f"{value.normalize():f}" for value, _label in IMPACT_CHOICES]


class ImpactFieldSchema(OpenApiSerializerFieldExtension):
    """Requests: the string enum `ImpactEnum`; answers: the number (3, 2, 1, 0.5 or 0.25) they have always been."""

    target_class = ImpactField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {"type": "string", "enum": IMPACT_VALUES,
                    "description": "RICE impact: 3 massive, 2 high, 1 medium, 0.5 low, 0.25 minimal (a number is "
                                   "also accepted)."}
        return {"type": "number", "format": "double", "minimum": 0.25, "maximum": 3,
                "description": "RICE impact: one of 3, 2, 1, 0.5, 0.25."}


class FixedProductMixin:
    """A requirement's, version's or feedback item's product never changes: the service's rule (409
    `product_fixed`), applied before the model's cross-checks, which would otherwise answer a 400 about the new
    product's versions or requirements."""

    def validate_product(self, product):
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            services.product_fixed_check(obj=self.instance, product=product)
        return product


class RequirementSerializer(FastReadMixin, FixedProductMixin, StrictModelSerializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    product_code = ProductCodeField(source="product.code", read_only=True)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), required=False, allow_null=True
    )
    target_version = serializers.PrimaryKeyRelatedField(
        queryset=ProductVersion.objects.all(), required=False, allow_null=True
    )
    # Bulk creates validate in a constant number of queries (StrictModelSerializer.validate): the relations were
    # just resolved by the fields above, and the check constraints repeat the field validators.
    resolved_relations = ("product", "assignee", "target_version")
    validate_constraints = False
    tags = TagListField(required=False, max_length=20)
    impact = ImpactField(required=False, label=_("影响度"))
    feedback_count = serializers.IntegerField(read_only=True, default=0)
    rice_score = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True,
                                          help_text="reach × impact × confidence% ÷ effort, computed by the database")
    url = serializers.HyperlinkedIdentityField(view_name="api:requirement-detail")

    class Meta:
        model = Requirement
        fields = [
            "id", "url", "product", "product_code", "title", "description", "source", "type", "requester",
            "assignee", "priority", "tags", "due_date", "target_version", "reach", "impact", "confidence",
            "effort", "rice_score", "status", "status_reason", "delivered_at", "feedback_count", "created_at",
            "updated_at",
        ]
        read_only_fields = ["rice_score", "status", "status_reason", "delivered_at", "created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        # A PUT names the product (which must stay the same); only a PATCH may leave it out.
        if self.instance is not None and not isinstance(self.instance, list | tuple) and self.partial:
            fields["product"].required = False
        return fields


class PreloadedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """Resolves ids from `context["preloaded"][model]` when the caller loaded them all at once (bulk create)."""

    def to_internal_value(self, data):
        preloaded = self.context.get("preloaded", {}).get(self.get_queryset().model)
        if preloaded is None or isinstance(data, bool) or not isinstance(data, int | str):
            return super().to_internal_value(data)
        pk = parse_id(data)
        if pk is None and not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if pk not in preloaded:  # an integer that is no id (0, negative, past the column) names no row either
            self.fail("does_not_exist", pk_value=data)
        return preloaded[pk]


class RequirementBulkItemSerializer(RequirementSerializer):
    """One item of a bulk create (same fields as a single create); related ids come preloaded."""

    product = PreloadedPrimaryKeyRelatedField(queryset=Product.objects.all())
    assignee = PreloadedPrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), required=False, allow_null=True
    )
    target_version = PreloadedPrimaryKeyRelatedField(
        queryset=ProductVersion.objects.all(), required=False, allow_null=True
    )

    @staticmethod
    def preload(items) -> dict:
        """Every product, assignee and version the items name, in three queries."""
        def ids(name):
            return {parse_id(i.get(name)) for i in items if isinstance(i, dict)} - {None}

        users = get_user_model().objects.filter(is_active=True)
        return {
            Product: Product.objects.in_bulk(ids("product")),
            get_user_model(): users.in_bulk(ids("assignee")),
            ProductVersion: ProductVersion.objects.in_bulk(ids("target_version")),
        }


class TransitionSerializer(StrictSerializer):
    transition = serializers.ChoiceField(choices=RequirementTransition.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


class BulkErrorItemSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    errors = serializers.DictField(child=serializers.JSONField(), help_text="{field: [messages]}, as for one item")


class BulkErrorSerializer(serializers.Serializer):
    """Per-item errors (`errors`), or a body-level problem (`non_field_errors`: not a list, too many items)."""

    errors = BulkErrorItemSerializer(many=True, required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


class VersionSerializer(FixedProductMixin, StrictModelSerializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    total = serializers.IntegerField(read_only=True, default=0, help_text=_("范围内需求数"))
    delivered = serializers.IntegerField(read_only=True, default=0, help_text=_("已交付需求数"))

    class Meta:
        model = ProductVersion
        fields = ["id", "product", "name", "planned_date", "released_on", "status", "description", "total",
                  "delivered", "created_at"]
        read_only_fields = ["released_on", "status", "created_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and self.partial:  # a PUT names the product; only a PATCH may leave it out
            fields["product"].required = False
        return fields

    def get_validators(self):
        # A taken name is validate()'s 409, not the UniqueTogetherValidator's 400.
        return [v for v in super().get_validators() if not isinstance(v, UniqueTogetherValidator)]

    def validate(self, attrs):
        # The service's rule (409), before the model's own unique check would answer a 400.
        product = attrs.get("product") or getattr(self.instance, "product", None)
        if product is not None:
            services.version_name_check(product=product, name=attrs.get("name", getattr(self.instance, "name", "")),
                                        version=self.instance)
        return super().validate(attrs)


class VersionReleaseSerializer(StrictSerializer):
    """What happens to the version's unfinished requirements; needed only when there are some."""

    unfinished = serializers.ChoiceField(choices=UnfinishedScope.choices, required=False)
    move_to = serializers.PrimaryKeyRelatedField(queryset=ProductVersion.objects.all(), required=False,
                                                 allow_null=True)


class FeedbackSerializer(FixedProductMixin, StrictModelSerializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())

    class Meta:
        model = Feedback
        fields = ["id", "product", "channel", "customer_segment", "text", "sentiment", "received_on",
                  "requirement", "created_at"]
        read_only_fields = ["requirement", "created_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and self.partial:  # a PUT names the product; only a PATCH may leave it out
            fields["product"].required = False
        return fields


class FeedbackConvertSerializer(StrictSerializer):
    feedback = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=200)
    title = serializers.CharField(max_length=200, validators=[validate_single_line])  # the requirement's title
    priority = serializers.ChoiceField(choices=Requirement._meta.get_field("priority").choices, required=False)
    type = serializers.ChoiceField(choices=Requirement._meta.get_field("type").choices, required=False)
