"""API shapes of periodic reviews (read-only: they change through the pages and the engine's decisions endpoint)."""
from rest_framework import serializers

from ..choices import ReviewOutcome
from ..models import ProductReview


class ProductReviewSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code", read_only=True)
    risk_rating = serializers.CharField(source="product.risk_rating", read_only=True)
    opened_by = serializers.CharField(source="opened_by.username", allow_null=True, default=None, read_only=True,
                                      help_text="null: opened by the system on the cadence.")
    prepared_by = serializers.CharField(source="prepared_by.username", allow_null=True, default=None,
                                        read_only=True)
    gate_review = serializers.IntegerField(source="gate_review_id", allow_null=True, read_only=True,
                                           help_text="The engine review deciding it (decisions: "
                                                     "POST /api/v1/gate-reviews/{id}/decisions/).")
    outcome = serializers.ChoiceField(choices=ReviewOutcome.choices, allow_blank=True, read_only=True,
                                      help_text="Empty until the review is decided.")
    change = serializers.IntegerField(source="change_id", allow_null=True, read_only=True,
                                      help_text="The draft terms change an outcome `change` opened.")
    exit_plan = serializers.IntegerField(source="exit_plan_id", allow_null=True, read_only=True,
                                         help_text="The exit plan an outcome `exit` opened.")

    class Meta:
        model = ProductReview
        fields = ["id", "product", "product_code", "risk_rating", "trigger", "reason", "status", "due_date",
                  "period_start", "opened_by", "opened_at", "price_paid", "value_received", "comparison",
                  "conclusion", "prepared_by", "submitted_at", "gate_review", "outcome", "decided_at", "next_due",
                  "change", "exit_plan", "escalated_at"]
        read_only_fields = fields
