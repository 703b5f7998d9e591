"""API shapes of the exit runbook: the plan (read and write), progress items, tasks."""
from django.utils import timezone
from rest_framework import serializers

from bankpm.api.serializers import StrictSerializer

from .. import selectors, services
from ..choices import EVIDENCE_KINDS, MAX_CUSTOMERS, MAX_SEGMENTS, ExitTaskStatus
from ..models import ExitTask

ID = {"min_value": 1, "max_value": 2**63 - 1}


class EvidenceSerializer(StrictSerializer):
    """Ids of the KPI snapshots, alerts and requirements the decision cites (all of this product)."""

    snapshots = serializers.ListField(child=serializers.IntegerField(**ID), required=False, default=list,
                                      max_length=100)
    alerts = serializers.ListField(child=serializers.IntegerField(**ID), required=False, default=list,
                                   max_length=100)
    requirements = serializers.ListField(child=serializers.IntegerField(**ID), required=False, default=list,
                                         max_length=100)


class SegmentWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100)
    customers = serializers.IntegerField(min_value=0, max_value=MAX_CUSTOMERS)


class ExitPlanWriteSerializer(StrictSerializer):
    """The whole plan (PUT replaces it); `successor` is a product code or null."""

    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    evidence = EvidenceSerializer(required=False)
    successor = serializers.CharField(required=False, allow_null=True, allow_blank=True, default=None,
                                      max_length=32)
    notice_date = serializers.DateField(required=False, allow_null=True, default=None)
    close_date = serializers.DateField(required=False, allow_null=True, default=None)
    segments = serializers.ListField(child=SegmentWriteSerializer(), required=False, default=list,
                                     max_length=MAX_SEGMENTS)

    def to_plan_input(self) -> services.PlanInput:
        data = dict(self.validated_data)
        data["segments"] = [dict(s) for s in data.get("segments") or []]
        data["evidence"] = dict(data.get("evidence") or {})
        return services.PlanInput(**data)


class EvidenceItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[(k, k) for k in EVIDENCE_KINDS])
    id = serializers.IntegerField()
    label = serializers.CharField()
    value = serializers.CharField(allow_null=True)
    status = serializers.CharField(allow_blank=True)
    url = serializers.CharField()


class ProgressNumbersSerializer(serializers.Serializer):
    customers = serializers.IntegerField()
    migrated = serializers.IntegerField()
    closed = serializers.IntegerField()
    remaining = serializers.IntegerField()
    migrated_pct = serializers.FloatField(allow_null=True, help_text="migrated ÷ customers × 100; null for 0")


class SegmentSerializer(ProgressNumbersSerializer):
    name = serializers.CharField()


class ExitTaskSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="plan.product.code", read_only=True)
    owner_username = serializers.CharField(source="owner.username", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ExitTask
        fields = ["id", "product", "title", "title_en", "owner", "owner_username", "due_date", "status", "reason",
                  "completed_by", "completed_at", "overdue"]
        read_only_fields = fields

    def get_overdue(self, task) -> bool:
        return task.status == ExitTaskStatus.OPEN and task.due_date < timezone.localdate()


class ExitTaskUpdateSerializer(StrictSerializer):
    """`{"status": "done"}` or `{"status": "waived", "reason": "..."}`."""

    status = serializers.ChoiceField(choices=[ExitTaskStatus.DONE, ExitTaskStatus.WAIVED])
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ExitPlanSerializer(serializers.Serializer):
    """The plan with its evidence (and values), segments and totals, tasks and what still blocks retirement."""

    product = serializers.CharField()
    stage = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)
    evidence = EvidenceSerializer()
    evidence_items = EvidenceItemSerializer(many=True)
    successor = serializers.CharField(allow_null=True)
    notice_date = serializers.DateField(allow_null=True)
    close_date = serializers.DateField(allow_null=True)
    notice_days = serializers.IntegerField()
    segments = SegmentSerializer(many=True)
    totals = ProgressNumbersSerializer()
    tasks = ExitTaskSerializer(many=True)
    missing = serializers.ListField(child=serializers.CharField(), help_text="What the plan lacks to be complete.")
    blockers = serializers.ListField(child=serializers.CharField(), help_text="What keeps the product from retiring.")
    updated_at = serializers.DateTimeField()


class ProgressItemSerializer(StrictSerializer):
    segment = serializers.CharField()
    date = serializers.DateField()
    migrated = serializers.IntegerField(min_value=0)
    closed = serializers.IntegerField(min_value=0)


class ProgressResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    created = serializers.IntegerField()
    replaced = serializers.IntegerField()
    dry_run = serializers.BooleanField()


def plan_representation(plan) -> dict:
    """The JSON of a plan loaded by selectors.plan_detail (the API body and the reviewers' snapshot)."""
    data = {
        "product": plan.product.code, "stage": plan.product.stage, "reason": plan.reason,
        "evidence": {kind: sorted(x.pk for x in getattr(plan, kind).all()) for kind in EVIDENCE_KINDS},
        "evidence_items": selectors.evidence_items(plan),
        "successor": plan.successor.code if plan.successor_id else None,
        "notice_date": plan.notice_date, "close_date": plan.close_date,
        "notice_days": services.notice_days(category=plan.product.category),
        "segments": [{"name": s.name, "customers": s.customers, "migrated": s.migrated, "closed": s.closed,
                      "remaining": s.remaining, "migrated_pct": s.migrated_pct} for s in plan.segment_rows],
        "totals": plan.totals, "tasks": plan.task_rows,
        "missing": services.plan_missing(plan=plan), "blockers": services.exit_blockers(plan=plan),
        "updated_at": plan.updated_at,
    }
    return dict(ExitPlanSerializer(data).data)

