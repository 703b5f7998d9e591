"""API shapes of deliverables, gate reviews, decisions and history (output serializers apart from input ones)."""
from django.contrib.auth import get_user_model
from rest_framework import serializers

from accounts.choices import REVIEWING_DEPARTMENTS, DepartmentCode
from bankpm.api.serializers import StrictSerializer
from products.choices import LifecycleStage

from ..choices import Decision, DeliverableStatus
from ..models import ApprovalStep, Condition, Delegation, Deliverable, GateReview


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


class ApprovalStepSerializer(serializers.ModelSerializer):
    decided_by_username = serializers.CharField(source="decided_by.username", read_only=True, allow_null=True,
                                                default=None)
    decision = serializers.ChoiceField(choices=Decision.choices, allow_blank=True, read_only=True,
                                       help_text="Empty until the step is decided.")
    outcome = serializers.CharField(read_only=True, help_text="The outcome an approving decision chose, for a "
                                                              "process with its own outcomes; otherwise empty.")

    class Meta:
        model = ApprovalStep
        fields = ["id", "department", "status", "due_date", "overdue", "decided_by", "decided_by_username",
                  "on_behalf_of", "decided_at", "decision", "comment", "outcome"]
        read_only_fields = fields


class GateReviewSerializer(serializers.ModelSerializer):
    steps = ApprovalStepSerializer(many=True, read_only=True)
    submitted_by_username = serializers.CharField(
        source="submitted_by.username", read_only=True, allow_null=True, default=None,
        help_text="Null (as submitted_by) when the system opened the review.")
    process = serializers.CharField(read_only=True, help_text="The engine's process: stage_gate, change, ...")
    subject_type = serializers.CharField(source="subject_type.model", read_only=True, allow_null=True, default=None)
    snapshot = serializers.JSONField(read_only=True, help_text="What was submitted, as reviewers see it.")
    # Empty for processes other than the stage gate (e.g. a terms change).
    from_stage = serializers.ChoiceField(choices=LifecycleStage.choices, allow_blank=True, read_only=True)
    to_stage = serializers.ChoiceField(choices=LifecycleStage.choices, allow_blank=True, read_only=True)
    outcome = serializers.CharField(read_only=True, help_text="For a process with its own outcomes, the most "
                                                              "cautious outcome its approving steps chose; "
                                                              "otherwise empty.")

    class Meta:
        model = GateReview
        fields = ["id", "process", "product", "subject_type", "subject_id", "from_stage", "to_stage", "status",
                  "submitted_by", "submitted_by_username", "submitted_at", "decided_at", "steps", "snapshot",
                  "outcome"]
        read_only_fields = fields


class GateReviewSubmitSerializer(StrictSerializer):
    """Empty body: the next stage; or a target the state machine allows (e.g. cancelled, retirement)."""

    to_stage = serializers.ChoiceField(choices=LifecycleStage.choices, required=False)


class ConditionInputSerializer(StrictSerializer):
    """One condition of an approving decision: what must be done, by whom, by when."""

    action = serializers.CharField(max_length=500)
    owner = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.filter(is_active=True))
    due = serializers.DateField(help_text="Today or later.")


class ConditionSerializer(serializers.ModelSerializer):
    owner_username = serializers.CharField(source="owner.username", read_only=True)
    document = serializers.SerializerMethodField()

    class Meta:
        model = Condition
        fields = ["id", "review", "step", "product", "department", "action", "owner", "owner_username", "due",
                  "status", "evidence", "document", "waiver_reason", "closed_by", "closed_at", "created_at"]
        read_only_fields = fields

    def get_document(self, condition) -> bool:
        """Whether a document was filed as evidence."""
        return bool(condition.document)


class ConditionDoneSerializer(StrictSerializer):
    comment = serializers.CharField(max_length=4000, help_text="The evidence: what was done.")


class ConditionWaiveSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=4000)


class DecisionSerializer(StrictSerializer):
    department = serializers.ChoiceField(choices=[c for c in DepartmentCode.choices if c[0] in REVIEWING_DEPARTMENTS])
    decision = serializers.ChoiceField(choices=Decision.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    on_behalf_of = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), required=False, allow_null=True, default=None,
        help_text="The delegator a substitute explicitly decides for (a running delegation, both in the step's "
                  "department); omitted, the decision is the user's own.")
    conditions = ConditionInputSerializer(many=True, required=False, max_length=20,
                                          help_text="Approve with conditions: each becomes an open action item.")
    outcome = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=32,
        help_text="For a process with its own outcomes, an approving decision names one of its codes (400 with "
                  "field `outcome` otherwise); refused for other processes and for a rejection.")


class DelegationSerializer(serializers.ModelSerializer):
    """A reviewer's substitute for a date range; the delegator is whoever creates it."""

    delegate = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.filter(is_active=True))

    class Meta:
        model = Delegation
        fields = ["id", "delegator", "delegate", "starts_on", "ends_on", "created_at"]
        read_only_fields = ["delegator", "created_at"]
