"""Admin: the cadence policy is editable (validated and audited, through the service); reviews are read-only here —
they change through the pages, the API and the engine, which apply the rules."""
from django.contrib import admin

from core.admin import ReadOnlyAdmin

from . import services
from .models import CadencePolicy, ProductReview


@admin.register(CadencePolicy)
class CadencePolicyAdmin(admin.ModelAdmin):
    list_display = ["risk_rating", "category", "months", "remediate_months", "lead_days"]
    list_filter = ["risk_rating", "category"]

    def save_model(self, request, obj, form, change):
        services.cadence_policy_save(user=request.user, obj=obj)

    def delete_model(self, request, obj):
        services.cadence_policy_delete(user=request.user, objs=[obj])

    def delete_queryset(self, request, queryset):
        services.cadence_policy_delete(user=request.user, objs=list(queryset))


@admin.register(ProductReview)
class ProductReviewAdmin(ReadOnlyAdmin):
    list_display = ["id", "product", "trigger", "status", "due_date", "outcome", "decided_at", "next_due"]
    list_filter = ["status", "trigger", "outcome"]
    search_fields = ["product__code"]
