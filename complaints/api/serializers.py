from rest_framework import serializers

from bankpm.api.serializers import StrictSerializer
from products.choices import CustomerSegment, SalesChannelCode

from ..choices import MAX_COMPLAINTS_PER_REQUEST, MAX_TEXT, ComplaintCategory, RootCause, Severity
from ..models import Complaint


class ComplaintSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code", read_only=True)
    root_cause = serializers.CharField(read_only=True, help_text="A RootCause code; empty while unknown.")
    segment = serializers.CharField(read_only=True, help_text="A customer-segment code, or empty.")
    channel = serializers.CharField(read_only=True, help_text="A sales-channel code, or empty.")
    region = serializers.CharField(read_only=True, help_text="A region code, or empty.")

    class Meta:
        model = Complaint
        fields = ["id", "product", "product_code", "received_on", "due_on", "resolved_on", "category", "severity",
                  "segment", "channel", "region", "description", "root_cause", "root_cause_text", "resolution",
                  "rejection_reason", "status", "source", "feedback", "risks", "requirements", "changes",
                  "reminded_on", "escalated_on", "created_at", "updated_at"]
        read_only_fields = fields


class ComplaintItemSerializer(StrictSerializer):
    """Documents one item of the bulk registration; validation is done by complaints.services (per index)."""

    product = serializers.CharField(help_text="Product code")
    received_on = serializers.DateField()
    category = serializers.ChoiceField(choices=ComplaintCategory.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    description = serializers.CharField(max_length=MAX_TEXT)
    segment = serializers.ChoiceField(choices=CustomerSegment.choices, required=False, allow_blank=True)
    channel = serializers.ChoiceField(choices=SalesChannelCode.choices, required=False, allow_blank=True)
    region = serializers.CharField(required=False, allow_blank=True, help_text="An active region's code.")
    root_cause = serializers.ChoiceField(choices=RootCause.choices, required=False, allow_blank=True)
    root_cause_text = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    risks = serializers.ListField(child=serializers.IntegerField(), required=False)
    requirements = serializers.ListField(child=serializers.IntegerField(), required=False)
    changes = serializers.ListField(child=serializers.IntegerField(), required=False)


class ComplaintBulkSerializer(serializers.ListSerializer):
    child = ComplaintItemSerializer()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", MAX_COMPLAINTS_PER_REQUEST)
        kwargs.setdefault("min_length", 1)
        super().__init__(*args, **kwargs)


class ComplaintUpdateSerializer(StrictSerializer):
    category = serializers.ChoiceField(choices=ComplaintCategory.choices, required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    description = serializers.CharField(required=False, max_length=MAX_TEXT)
    segment = serializers.ChoiceField(choices=CustomerSegment.choices, required=False, allow_blank=True)
    channel = serializers.ChoiceField(choices=SalesChannelCode.choices, required=False, allow_blank=True)
    region = serializers.CharField(required=False, allow_blank=True, help_text="An active region's code.")
    root_cause = serializers.ChoiceField(choices=RootCause.choices, required=False, allow_blank=True)
    root_cause_text = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    resolution = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    risks = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=100)
    requirements = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=100)
    changes = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=100)


class ComplaintTransitionSerializer(StrictSerializer):
    transition = serializers.ChoiceField(choices=[("investigate", "investigate"), ("resolve", "resolve"),
                                                  ("reject", "reject")])
    reason = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT,
                                   help_text="Required to reject.")
    resolution = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT,
                                       help_text="What was done (required to resolve unless already recorded).")


class FromFeedbackSerializer(StrictSerializer):
    feedback = serializers.IntegerField(help_text="Id of a feedback item of the complaint channel.")
    category = serializers.ChoiceField(choices=ComplaintCategory.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)


class RegisteredSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    ids = serializers.ListField(child=serializers.IntegerField())


class ParetoRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    cumulative_pct = serializers.FloatField()
