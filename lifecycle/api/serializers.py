"""API shapes of deliverables, gate submissions, waivers and history (output serializers apart from input ones)."""
from rest_framework import serializers

from approvals.choices import Decision
from bankpm.api.serializers import StrictSerializer
from products.choices import LifecycleStage

from ..choices import DeliverableStatus
from ..models import Deliverable


class DeliverableSerializer(serializers.ModelSerializer):
    owner_username = serializers.CharField(source="owner.username", read_only=True)
    reason = serializers.CharField(source="waiver_reason", read_only=True)
    attachment = serializers.CharField(source="attachment_url", read_only=True,
                                       help_text="Download URL of the attachment (signed-in readers), or empty")
    link = serializers.CharField(read_only=True, help_text="URL, or empty")

    class Meta:
        model = Deliverable
        fields = ["id", "product", "stage", "title", "title_en", "required", "owner", "owner_username", "due_date",
                  "status", "reason", "waiver_requested_by", "waiver_decided_by", "waiver_decided_at", "attachment",
                  "link", "completed_by", "completed_at", "updated_at"]
        read_only_fields = fields


class DeliverableUpdateSerializer(StrictSerializer):
    """`{"status": "done"}`, `{"status": "waived", "reason": "..."}`, `{"status": "open"}`, and/or a link. Waiving
    a required item asks for the waiver: the item answers `waiver_requested` until it is decided
    (POST /deliverables/{id}/waiver/)."""

    status = serializers.ChoiceField(choices=DeliverableStatus.choices, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    link = serializers.URLField(required=False, allow_blank=True, max_length=200)


class WaiverDecisionSerializer(StrictSerializer):
    """`{"decision": "approve"}` or `{"decision": "reject", "comment": "..."}` on a required item's waiver."""

    decision = serializers.ChoiceField(choices=Decision.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class GateReviewSubmitSerializer(StrictSerializer):
    """Empty body: the next stage; or a target the state machine allows (e.g. cancelled, retirement)."""

    to_stage = serializers.ChoiceField(choices=LifecycleStage.choices, required=False)
