"""API shapes of changes and terms versions (input serializers apart from output ones)."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bankpm.api.serializers import StrictSerializer
from products.choices import CustomerSegment

from .. import selectors
from ..choices import ChangeReason, ChangeStatus, CriterionOp, TermsVersionStatus
from ..models import Change, TermsVersion


class DiffItemSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class CriterionSerializer(serializers.Serializer):
    metric = serializers.CharField()
    op = serializers.ChoiceField(choices=CriterionOp.choices)
    value = serializers.FloatField()
    actual = serializers.FloatField(allow_null=True, help_text="The metric's aggregation over the pilot so far.")
    met = serializers.BooleanField(allow_null=True, help_text="null: no data yet.")
    reason = serializers.CharField(required=False, help_text=(
        "Why `actual` is null: the pilot's scope (regions, segments, channels) has no dimensioned figures yet. "
        "Actuals are computed over the pilot's scope only, never over the whole product."))


class ChangeSerializer(serializers.ModelSerializer):
    terms = serializers.JSONField(help_text="Only the changed term fields, as proposed.")
    diff = DiffItemSerializer(many=True)
    created_by_username = serializers.CharField(source="created_by.username")
    version = serializers.IntegerField(source="version.version", allow_null=True, default=None,
                                       help_text="The terms version this change created, once it did.")
    regions = serializers.ListField(child=serializers.CharField())
    segments = serializers.ListField(child=serializers.CharField())
    channels = serializers.ListField(child=serializers.CharField())
    start = serializers.DateField(source="pilot_start", allow_null=True)
    end = serializers.DateField(source="pilot_end", allow_null=True)
    criteria = serializers.SerializerMethodField()
    pilot_plan = serializers.JSONField(
        allow_null=True, help_text="The pilot as approved with the change: regions, segments, channels, start, end "
                                   "(ISO) and criteria [{metric, op, value}].")

    class Meta:
        model = Change
        fields = ["id", "product", "status", "summary", "reason", "terms", "diff", "requirements", "pilot",
                  "pilot_plan", "effective_from", "review", "version", "regions", "segments", "channels", "start",
                  "end", "criteria", "override_reason", "withdraw_reason", "created_by", "created_by_username",
                  "created_at", "updated_at", "decided_at", "closed_at"]
        read_only_fields = fields

    @extend_schema_field(CriterionSerializer(many=True))
    def get_criteria(self, change):
        """With actuals while piloting (and after); lists skip the per-row aggregation."""
        if self.context.get("actuals") and change.status != ChangeStatus.DRAFT and change.pilot_start:
            rows = selectors.criteria_with_actuals(change=change)
        else:
            rows = [{"metric": c.metric.code, "op": c.op, "value": c.value, "actual": None, "met": None}
                    for c in change.criteria.all()]
        return CriterionSerializer(rows, many=True).data


class ChangeSubmittedSerializer(ChangeSerializer):
    review = serializers.IntegerField(source="review_id", help_text="The review opened in the engine.")


class CriterionInputSerializer(StrictSerializer):
    metric = serializers.CharField(max_length=40)
    op = serializers.ChoiceField(choices=CriterionOp.choices)
    value = serializers.FloatField(min_value=-1e15, max_value=1e15)


class PilotPlanSerializer(StrictSerializer):
    """The pilot as it is approved with the change: scope (empty lists: not restricted), window and criteria."""

    regions = serializers.ListField(child=serializers.CharField(max_length=100), required=False, max_length=50)
    segments = serializers.ListField(child=serializers.ChoiceField(choices=CustomerSegment.choices), required=False,
                                     max_length=50)
    channels = serializers.ListField(child=serializers.CharField(max_length=32), required=False, max_length=50)
    start = serializers.DateField()
    end = serializers.DateField()
    criteria = CriterionInputSerializer(many=True, allow_empty=False, max_length=20)


class PilotInputSerializer(PilotPlanSerializer):
    """Starting the pilot: what is sent may narrow the approved plan, never widen it; what is left out is the
    plan's."""

    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    criteria = CriterionInputSerializer(many=True, required=False, allow_empty=False, max_length=20)


class ChangeInputSerializer(StrictSerializer):
    summary = serializers.CharField(max_length=200)
    reason = serializers.ChoiceField(choices=ChangeReason.choices)
    terms = serializers.DictField(child=serializers.JSONField(allow_null=True),
                                  help_text="Only the term fields that change, e.g. {\"interest_rate\": \"2.1\"}.")
    requirements = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
                                         required=False, max_length=200)
    pilot = serializers.BooleanField(required=False, default=False)
    pilot_plan = PilotPlanSerializer(required=False, allow_null=True,
                                     help_text="Required before submission when `pilot` is true; frozen by the review.")
    effective_from = serializers.DateField(required=False, allow_null=True, default=None)


class ChangeUpdateSerializer(ChangeInputSerializer):
    """A draft's fields; those not sent keep their values."""

    summary = serializers.CharField(max_length=200, required=False)
    reason = serializers.ChoiceField(choices=ChangeReason.choices, required=False)
    terms = serializers.DictField(child=serializers.JSONField(allow_null=True), required=False)
    pilot = serializers.BooleanField(required=False)
    effective_from = serializers.DateField(required=False, allow_null=True)


class RolloutInputSerializer(StrictSerializer):
    override_reason = serializers.CharField(required=False, max_length=4000,
                                            help_text="Senior management only: roll out although criteria fail.")


class WithdrawInputSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=4000)


class FailingCriterionSerializer(serializers.Serializer):
    metric = serializers.CharField()
    op = serializers.ChoiceField(choices=CriterionOp.choices)
    value = serializers.FloatField()
    actual = serializers.FloatField(allow_null=True, help_text="null: no data yet.")


class CriteriaNotMetSerializer(serializers.Serializer):
    """A 409: `pilot_criteria_not_met` lists the failing criteria; other conflicts (e.g. change_not_piloting)
    have only the code and detail."""

    code = serializers.CharField()
    detail = serializers.CharField()
    failing = FailingCriterionSerializer(many=True, required=False)


class TermsVersionSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=TermsVersionStatus.choices, read_only=True)
    terms = serializers.JSONField()

    class Meta:
        model = TermsVersion
        fields = ["version", "status", "effective_from", "effective_to", "terms", "review"]
        read_only_fields = fields
