from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Alert, Metric, Observation, Snapshot, Target


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "unit", "unit_en", "value_kind", "min_value", "max_value", "direction",
                    "family", "aggregation", "is_key", "scorecard_weight")
    list_editable = ("is_key", "scorecard_weight")
    list_filter = ("family", "aggregation", "direction")


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("product", "metric", "granularity", "period_start", "target_value", "warning_threshold",
                    "critical_threshold")
    list_filter = ("granularity", "metric")
    list_select_related = ("product", "metric")
    search_fields = ("product__code",)
    autocomplete_fields = ()


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = ("product", "metric", "date", "value", "source")
    list_filter = ("metric", "source")
    list_select_related = ("product", "metric")
    search_fields = ("product__code",)
    date_hierarchy = "date"


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ("product", "metric", "period", "value", "target_value", "attainment_pct", "status")
    list_filter = ("granularity", "status", "metric")
    list_select_related = ("product", "metric")
    search_fields = ("product__code", "period")
    actions = ["recompute"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("重新计算所选快照的周期"))
    def recompute(self, request, queryset):
        for period, granularity in set(queryset.values_list("period", "granularity")):
            services.kpi_snapshots_compute(period=period, granularity=granularity)
        self.message_user(request, _("已重新计算。"), messages.SUCCESS)


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("product", "metric", "period", "value", "status", "opened_at", "resolved_at", "auto_resolved")
    list_filter = ("status", "metric")
    list_select_related = ("product", "metric")
    readonly_fields = [f.name for f in Alert._meta.fields]

    def has_add_permission(self, request):
        return False
