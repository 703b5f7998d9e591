from decimal import ROUND_HALF_UP, Decimal

from rest_framework import serializers

from bankpm.api.serializers import StrictSerializer

from ..choices import ALERT_COMMENT_MAX_LENGTH, MAX_OBSERVATIONS_PER_REQUEST, Granularity
from ..models import Alert, Metric, Snapshot


class MetricSerializer(serializers.ModelSerializer):
    class Meta:
        model = Metric
        fields = ["id", "code", "name", "name_en", "unit", "unit_en", "direction", "family", "aggregation", "is_key",
                  "scorecard_weight"]
        read_only_fields = fields


class ObservationItemSerializer(StrictSerializer):
    """Documents one item; validation itself is done by kpis.services.observations_ingest (fast, per index)."""

    product = serializers.CharField(help_text="Product code")
    metric = serializers.CharField(help_text="Metric code")
    date = serializers.DateField()
    value = serializers.FloatField()
    segment = serializers.CharField(required=False, allow_null=True, help_text=(
        "Customer-segment code (optional). A figure with a segment, channel or region is part of a breakdown: the "
        "day's total is rolled up from such rows, and may not be sent for that day as well."))
    channel = serializers.CharField(required=False, allow_null=True, help_text="Sales-channel code (optional)")
    region = serializers.CharField(required=False, allow_null=True, help_text="Active region code (optional)")


class ObservationBulkSerializer(serializers.ListSerializer):
    child = ObservationItemSerializer()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", MAX_OBSERVATIONS_PER_REQUEST)
        kwargs.setdefault("min_length", 1)
        super().__init__(*args, **kwargs)


class IngestResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    dry_run = serializers.BooleanField()


PERCENT_DECIMALS = 2


def figure(value: float | None, decimals: int) -> Decimal | None:
    """A stored float as the decimal a person reads: rounded half-up to `decimals` places from its shortest repr,
    so 1005917.0499999999 (a float sum's artefact) answers 1005917.05. JSON renders it as that exact decimal text."""
    if value is None:
        return None
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


class MetricFiguresMixin:
    """Rounds a row's figures to its metric's precision (a count 0 places, an amount, a percentage or a score 2)
    and its percentages to 2."""

    figure_fields: tuple[str, ...] = ()
    percent_fields: tuple[str, ...] = ()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        decimals = instance.metric.decimals
        for name in self.figure_fields:
            data[name] = figure(data[name], decimals)
        for name in self.percent_fields:
            data[name] = figure(data[name], PERCENT_DECIMALS)
        return data


class SnapshotSerializer(MetricFiguresMixin, serializers.ModelSerializer):
    """A period snapshot; figures carry the metric's precision (`MetricFiguresMixin`)."""

    figure_fields = ("value", "previous_value", "last_year_value", "target_value", "warning_threshold",
                     "critical_threshold")
    percent_fields = ("change_pct", "yoy_pct", "attainment_pct")

    product = serializers.CharField(source="product.code", read_only=True)
    metric = serializers.CharField(source="metric.code", read_only=True)

    class Meta:
        model = Snapshot
        fields = ["id", "product", "metric", "granularity", "period", "period_start", "value", "previous_value",
                  "change_pct", "last_year_value", "yoy_pct", "target_value", "warning_threshold",
                  "critical_threshold", "attainment_pct", "status", "computed_at"]
        read_only_fields = fields


class ComputeRequestSerializer(StrictSerializer):
    period = serializers.RegexField(r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2]|Q[1-4])$", max_length=7,
                                    help_text="2026-10 (month) or 2026-Q4 (quarter), matching the granularity")
    granularity = serializers.ChoiceField(choices=Granularity.choices)


class TaskQueuedSerializer(serializers.Serializer):
    task_id = serializers.CharField()
    status_url = serializers.CharField()


class TaskProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField()


class TaskStatusSerializer(serializers.Serializer):
    id = serializers.CharField()
    state = serializers.CharField(help_text="PENDING, STARTED, PROGRESS, SUCCESS, FAILURE, RETRY or REVOKED")
    progress = TaskProgressSerializer(allow_null=True)
    result = serializers.JSONField(allow_null=True)


class AlertSerializer(MetricFiguresMixin, serializers.ModelSerializer):
    """An early warning; its figures carry the metric's precision."""

    figure_fields = ("value", "critical_threshold")

    product = serializers.CharField(source="product.code", read_only=True)
    metric = serializers.CharField(source="metric.code", read_only=True)
    acknowledged_by = serializers.CharField(source="acknowledged_by.username", read_only=True, allow_null=True,
                                            default=None)
    resolved_by = serializers.CharField(source="resolved_by.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Alert
        fields = ["id", "product", "metric", "granularity", "period", "value", "critical_threshold", "status",
                  "opened_at", "acknowledged_by", "acknowledged_at", "acknowledge_comment", "resolved_by",
                  "resolved_at", "resolution_comment", "auto_resolved"]
        read_only_fields = fields


class CommentSerializer(StrictSerializer):
    comment = serializers.CharField(max_length=ALERT_COMMENT_MAX_LENGTH)


class ScorecardSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    manager_id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    quarter = serializers.CharField()
    score = serializers.FloatField()
    products = serializers.IntegerField()
    metrics = serializers.IntegerField()
    red = serializers.IntegerField()
