from django.contrib.auth import get_user_model
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from bankpm.api.serializers import FastReadMixin, StrictModelSerializer
from products.choices import CustomerSegment

from .. import services
from ..models import MAX_FEATURE_LENGTH, MAX_FEATURES, Product, SalesChannel


class UserBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username", "first_name", "last_name", "role"]
        read_only_fields = fields


class ProductSerializer(FastReadMixin, StrictModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all(), required=False)
    owner_username = serializers.CharField(source="owner.username", read_only=True)
    sales_channels = serializers.SlugRelatedField(
        slug_field="code", queryset=SalesChannel.objects.all(), many=True, required=False
    )
    features = serializers.ListField(
        child=serializers.CharField(max_length=MAX_FEATURE_LENGTH), required=False, max_length=MAX_FEATURES,
        help_text="Free-text items, e.g. cashback categories or a credit-limit cap (a term).",
    )
    excluded_segments = serializers.ListField(
        child=serializers.ChoiceField(choices=CustomerSegment.choices), required=False, max_length=10,
        help_text="Segments the product must not be sold to (not the target segment); sales into them raise a "
                  "target-market alert.")
    url = serializers.HyperlinkedIdentityField(view_name="api:product-detail")

    def get_fields(self):
        fields = super().get_fields()
        # Taken codes are validate_code's (409), not the model field's UniqueValidator's (400).
        fields["code"].validators = [v for v in fields["code"].validators if not isinstance(v, UniqueValidator)]
        return fields

    def validate_code(self, value):
        # The service's rule (409), before the model's own unique check would answer a 400.
        services.product_code_check(code=value, product=self.instance)
        return value

    class Meta:
        model = Product
        fields = [
            "id", "url", "code", "name", "name_en", "category", "owner", "owner_username", "customer_segment",
            "risk_rating", "sales_channels", "description", "interest_rate", "fee", "fee_terms",
            "expected_yield_min", "expected_yield_max", "features", "target_market", "excluded_market",
            "excluded_segments", "stage", "created_at", "updated_at",
        ]
        read_only_fields = ["stage", "created_at", "updated_at"]
        extra_kwargs = {
            "expected_yield_min": {"help_text": "Deposits and wealth products only; at most expected_yield_max."},
            "expected_yield_max": {"help_text": "Deposits and wealth products only; at least expected_yield_min."},
        }
