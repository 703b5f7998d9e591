"""Admin: the cadence policy is editable (validated and audited, through the service); reviews are read-only here —
they change through the pages, the API and the engine, which apply the rules."""
from django.contrib import admin

from core.admin import AuditedPolicyAdmin, ReadOnlyAdmin

from . import services
from .models import CadencePolicy, ProductReview


@admin.register(CadencePolicy)
class CadencePolicyAdmin(AuditedPolicyAdmin):
    list_display = ["risk_rating", "category", "months", "remediate_months", "lead_days"]
    list_filter = ["risk_rating", "category"]
    save_service = services.cadence_policy_save
    delete_service = services.cadence_policy_delete


@admin.register(ProductReview)
class ProductReviewAdmin(ReadOnlyAdmin):
    list_display = ["id", "product", "trigger", "status", "due_date", "outcome", "decided_at", "next_due"]
    list_filter = ["status", "trigger", "outcome"]
    search_fields = ["product__code"]
