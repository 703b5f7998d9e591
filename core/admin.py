"""The audit chain in the admin: read-only."""
from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit chain can be read, never added to, changed or deleted by hand."""

    list_display = ["id", "created_at", "product", "actor", "action", "object_type", "from_value", "to_value"]
    list_filter = ["action", "object_type"]
    search_fields = ["product__code", "comment"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
