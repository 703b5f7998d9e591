"""The audit chain in the admin: read-only."""
from django.contrib import admin

from .models import AuditCheckpoint, AuditEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records only the services write (the trail, evidence, deliveries): read in the admin, never added, changed or
    deleted by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """The read-only rows shown under a record (a risk's controls and assessments)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit chain can be read, never added to, changed or deleted by hand."""

    list_display = ["id", "created_at", "product", "actor", "action", "object_type", "from_value", "to_value"]
    list_filter = ["action", "object_type"]
    search_fields = ["product__code", "comment"]


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(AuditEntryAdmin):
    """The chain's anchors: read-only like the chain."""

    list_display = ["id", "created_at", "entry_count", "head_id", "head_hash"]
    list_filter = []
    search_fields = []
