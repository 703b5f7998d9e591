"""The roadmap API's response shape (documentation for the schema; the view returns the selector's dicts)."""
from rest_framework import serializers


class RoadmapSpanSerializer(serializers.Serializer):
    stage = serializers.CharField()
    label = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    current = serializers.BooleanField()


class RoadmapPlanSerializer(serializers.Serializer):
    kind = serializers.CharField()
    stage = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()
    target = serializers.DateField()
    actual = serializers.DateField(allow_null=True)
    slip_days = serializers.IntegerField(help_text="Days late (positive) or early (negative); overdue days when "
                                                   "the target has passed unreached.")
    status = serializers.ChoiceField(choices=["planned", "overdue", "on_time", "late"])
    status_label = serializers.CharField()


class RoadmapGateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    process = serializers.CharField()
    label = serializers.CharField()
    to_stage = serializers.CharField(allow_blank=True)
    status = serializers.CharField()
    status_label = serializers.CharField()
    submitted = serializers.DateField()
    decided = serializers.DateField(allow_null=True)
    lead_days = serializers.FloatField(help_text="Submitted to decided (or to now while open), in days.")
    overdue = serializers.BooleanField()


class RoadmapVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    date = serializers.DateField()


class RoadmapPilotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    summary = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField(allow_null=True)
    status = serializers.CharField()
    status_label = serializers.CharField()


class RoadmapRolloutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    summary = serializers.CharField()
    date = serializers.DateField()


class RoadmapExitSerializer(serializers.Serializer):
    notice = serializers.DateField(allow_null=True)
    close = serializers.DateField(allow_null=True)


class RoadmapDueSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    stage = serializers.CharField()
    due = serializers.DateField()
    overdue = serializers.BooleanField()


class RoadmapConditionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    review = serializers.IntegerField()
    action = serializers.CharField()
    department = serializers.CharField()
    owner = serializers.CharField(help_text="The owner's username.")
    due = serializers.DateField()
    overdue = serializers.BooleanField()


class RoadmapProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField()
    category_label = serializers.CharField()
    owner = serializers.CharField()
    owner_name = serializers.CharField()
    stage = serializers.CharField()
    stage_label = serializers.CharField()
    spans = RoadmapSpanSerializer(many=True)
    plans = RoadmapPlanSerializer(many=True)
    gates = RoadmapGateSerializer(many=True)
    versions = RoadmapVersionSerializer(many=True)
    pilots = RoadmapPilotSerializer(many=True)
    rollouts = RoadmapRolloutSerializer(many=True)
    exit = RoadmapExitSerializer(allow_null=True)
    deliverables = RoadmapDueSerializer(many=True)
    conditions = RoadmapConditionSerializer(many=True, help_text="Open approval conditions due in the window.")


class RoadmapSerializer(serializers.Serializer):
    def get_fields(self):
        # `from` is a Python keyword: the fields are named here rather than as class attributes.
        return {"from": serializers.DateField(), "to": serializers.DateField(), "today": serializers.DateField(),
                "products": RoadmapProductSerializer(many=True)}
