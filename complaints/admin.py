from django.contrib import admin

from core.admin import ReadOnlyAdmin

from . import services
from .models import Complaint, ResponsePolicy


@admin.register(ResponsePolicy)
class ResponsePolicyAdmin(admin.ModelAdmin):
    """Deadlines are policy data, saved by services.response_policy_save (audited); never deleted."""

    list_display = ("severity", "response_days", "escalate_after_days")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.response_policy_save(user=request.user, policy=obj)


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    """Read-only here: complaints change through their pages and API (the services audit every change)."""

    list_display = ("id", "product", "received_on", "category", "severity", "status", "due_on")
    list_filter = ("status", "category", "severity")
    search_fields = ("product__code", "description")
