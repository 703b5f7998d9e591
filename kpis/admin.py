from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedPolicyAdmin, ReadOnlyAdmin

from . import services
from .models import Alert, Metric, Region, Snapshot, Target
from .templatetags.kpis_tags import metric_num


@admin.register(Metric)
class MetricAdmin(AuditedPolicyAdmin):
    """Definitions are saved by services.metric_save (audited, list edits included); they are never deleted."""

    list_display = ("code", "name", "name_en", "unit", "unit_en", "value_kind", "min_value", "max_value",
                    "direction", "family", "aggregation", "formula",
                    "is_key", "scorecard_weight")
    list_editable = ("is_key", "scorecard_weight")
    list_filter = ("family", "aggregation", "direction")
    save_service, object_arg = services.metric_save, "metric"


@admin.register(Region)
class RegionAdmin(AuditedPolicyAdmin):
    """Regions are saved by services.region_save (audited); they are deactivated, never deleted."""

    list_display = ("code", "name", "name_en", "is_active", "position")
    list_filter = ("is_active",)
    save_service, object_arg = services.region_save, "region"


@admin.register(Target)
class TargetAdmin(AuditedPolicyAdmin):
    """Targets are saved and deleted by services.target_save / target_delete (audited with the diff)."""

    list_display = ("product", "metric", "granularity", "period_start", "target_value", "warning_threshold",
                    "critical_threshold")
    list_filter = ("granularity", "metric")
    list_select_related = ("product", "metric")
    search_fields = ("product__code",)
    autocomplete_fields = ()
    save_service, delete_service = services.target_save, services.target_delete
    object_arg, objects_arg = "target", "targets"


# Observations have a composite primary key, which the Django admin cannot show; they arrive through the
# ingestion service (API or upload page) and are read through the product KPI page and the API.


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdmin):
    """Snapshots are evidence (exit plans cite them): only the computation writes them."""

    list_display = ("product", "metric", "period", "shown_value", "shown_target", "shown_attainment", "status")
    list_filter = ("granularity", "status", "metric")
    list_select_related = ("product", "metric")
    search_fields = ("product__code", "period")
    actions = ["recompute"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product", "metric")

    @admin.display(description=_("数值"), ordering="value")
    def shown_value(self, obj):
        return metric_num(obj.value, obj.metric)

    @admin.display(description=_("目标值"), ordering="target_value")
    def shown_target(self, obj):
        return metric_num(obj.target_value, obj.metric)

    @admin.display(description=_("达成率"), ordering="attainment_pct")
    def shown_attainment(self, obj):
        return "—" if obj.attainment_pct is None else f"{obj.attainment_pct:,.1f}%"

    @admin.action(description=_("重新计算所选快照的周期"))
    def recompute(self, request, queryset):
        for period, granularity in set(queryset.values_list("period", "granularity")):
            services.kpi_snapshots_compute(period=period, granularity=granularity)
        self.message_user(request, _("已重新计算。"), messages.SUCCESS)


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    """Alerts are acknowledged and resolved on the alerts page or the API, through the service."""

    list_display = ("product", "metric", "period", "shown_value", "status", "opened_at", "resolved_at",
                    "auto_resolved")
    list_filter = ("status", "metric")
    list_select_related = ("product", "metric")
    readonly_fields = [f.name for f in Alert._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product", "metric")

    @admin.display(description=_("数值"), ordering="value")
    def shown_value(self, obj):
        return metric_num(obj.value, obj.metric)

