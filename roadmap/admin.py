from django.contrib import admin

from .models import RoadmapPlan


@admin.register(RoadmapPlan)
class RoadmapPlanAdmin(admin.ModelAdmin):
    """Read-only: target dates are set on the product page or through the service (audited)."""

    list_display = ["product", "kind", "stage", "version", "target_date", "set_by", "updated_at"]
    list_filter = ["kind", "stage"]
    search_fields = ["product__code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
