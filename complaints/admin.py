from django.contrib import admin

from core.admin import AuditedPolicyAdmin, ReadOnlyAdmin

from . import services
from .models import Complaint, ResponsePolicy


@admin.register(ResponsePolicy)
class ResponsePolicyAdmin(AuditedPolicyAdmin):
    """Deadlines are policy data, saved by services.response_policy_save (audited); never deleted."""

    list_display = ("severity", "response_days", "escalate_after_days")
    save_service, object_arg = services.response_policy_save, "policy"


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    """Read-only here: complaints change through their pages and API (the services audit every change)."""

    list_display = ("id", "product", "received_on", "category", "severity", "status", "due_on")
    list_filter = ("status", "category", "severity")
    search_fields = ("product__code", "description")
