"""API shapes of the register: output serializers apart from the input ones (which only parse types; the rules
are the service's)."""
from django.contrib.auth import get_user_model
from rest_framework import serializers

from bankpm.api.serializers import RejectUnknownFieldsMixin, StrictSerializer
from kpis.models import Metric

from ..choices import ControlType, RiskStatus
from ..models import Risk, RiskAssessment, RiskControl

SCALE = {"min_value": 1, "max_value": 5}
WRITE_FIELDS = ["title", "description", "category", "source", "cause", "method", "method_note", "likelihood",
                "impact", "response", "transfer_instrument", "controls", "residual_likelihood", "residual_impact",
                "owner", "review_due", "metric"]


class ControlSerializer(serializers.ModelSerializer):
    class Meta:
        model = RiskControl
        fields = ["id", "description", "type", "owner"]
        read_only_fields = fields


class ControlInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    description = serializers.CharField(max_length=300)
    type = serializers.ChoiceField(choices=ControlType.choices)
    owner = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.filter(is_active=True),
                                               required=False, allow_null=True,
                                               help_text="A user id; default the risk's owner.")


class RiskSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code", read_only=True)
    controls = ControlSerializer(many=True, read_only=True)
    metric = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    overdue = serializers.BooleanField(read_only=True, help_text="Active and past its review date.")

    class Meta:
        model = Risk
        fields = ["id", "product", "product_code", "title", "description", "category", "source", "cause", "method",
                  "method_note", "likelihood", "impact", "inherent_score", "inherent_level", "response",
                  "transfer_instrument", "controls", "residual_likelihood", "residual_impact", "residual_score",
                  "residual_level", "owner", "review_due", "metric", "status", "overdue", "accepted_by",
                  "accepted_at", "acceptance_comment", "closure_reason", "closed_at", "created_at", "updated_at"]
        read_only_fields = fields


class RiskWriteSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """Types only; every rule (residual no higher than inherent, controls, instrument...) is risks.services'."""

    controls = ControlInputSerializer(many=True, required=False)
    owner = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.filter(is_active=True),
                                               required=False, allow_null=True,
                                               help_text="A user id; default the product's owner.")
    metric = serializers.SlugRelatedField(slug_field="code", queryset=Metric.objects.all(), required=False,
                                          allow_null=True, help_text="A metric code, or null.")
    review_due = serializers.DateField(required=False, allow_null=True,
                                       help_text="Today or later; default 90 days ahead.")
    likelihood = serializers.IntegerField(**SCALE)
    impact = serializers.IntegerField(**SCALE)
    residual_likelihood = serializers.IntegerField(required=False, **SCALE,
                                                   help_text="No higher than likelihood; default: likelihood.")
    residual_impact = serializers.IntegerField(required=False, **SCALE,
                                               help_text="No higher than impact; default: impact.")

    class Meta:
        model = Risk
        fields = WRITE_FIELDS


class RiskUpdateSerializer(RiskWriteSerializer):
    """PATCH: any subset of the fields; `status: "closed"` with `closure_reason` closes the risk."""

    status = serializers.ChoiceField(choices=RiskStatus.choices, required=False)
    closure_reason = serializers.CharField(required=False, allow_blank=True, max_length=4000)

    class Meta(RiskWriteSerializer.Meta):
        fields = [*WRITE_FIELDS, "status", "closure_reason"]


class AssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = RiskAssessment
        fields = ["id", "kind", "likelihood", "impact", "inherent_score", "inherent_level", "residual_likelihood",
                  "residual_impact", "residual_score", "residual_level", "comment", "assessed_by", "assessed_at"]
        read_only_fields = fields


class ReviewSerializer(StrictSerializer):
    likelihood = serializers.IntegerField(**SCALE)
    impact = serializers.IntegerField(**SCALE)
    residual_likelihood = serializers.IntegerField(**SCALE, help_text="No higher than likelihood.")
    residual_impact = serializers.IntegerField(**SCALE, help_text="No higher than impact.")
    comment = serializers.CharField(max_length=4000, help_text="Required: the assessment's reasoning.")
    review_due = serializers.DateField(required=False, allow_null=True, help_text="Today or later; default 90 days.")


class AcceptSerializer(StrictSerializer):
    comment = serializers.CharField(max_length=4000, help_text="Required: why the residual risk is accepted.")


class HeatmapSerializer(serializers.Serializer):
    basis = serializers.ChoiceField(choices=["inherent", "residual"])
    cells = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()),
                                  help_text="cells[likelihood-1][impact-1]: active risks in that cell.")
