from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import RoadmapPlan


@admin.register(RoadmapPlan)
class RoadmapPlanAdmin(ReadOnlyAdmin):
    """Read-only: target dates are set on the product page or through the service (audited)."""

    list_display = ["product", "kind", "stage", "version", "target_date", "set_by", "updated_at"]
    list_filter = ["kind", "stage"]
    search_fields = ["product__code"]
