"""Admin bases shared by every app (read-only records, audited policy data) and the audit chain, read-only."""
from django.contrib import admin
from django.db import transaction

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


class AuditedPolicyAdmin(admin.ModelAdmin):
    """Policy data edited by administrators (gate rules, notice periods, the risk matrix, deadlines...): every save
    and delete goes through the app's audited service, after the row is validated in full (`full_clean`, whatever
    the form left out); the admin never writes behind the service's back.

    A subclass names the services: `save_service(user=..., obj=...)` and `delete_service(user=..., objs=[...])`, or
    no delete service where the rows are never deleted. `user_arg`, `object_arg` and `objects_arg` follow the
    service's own keyword names (`actor=`, `policy=`, `targets=`...); `objects_arg = None`: the delete service takes
    one row (`object_arg`), and a bulk delete calls it for each, all or none.
    """

    save_service = None
    delete_service = None
    user_arg, object_arg, objects_arg = "user", "obj", "objs"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in ("save_service", "delete_service"):  # plain functions, not methods of the admin
            service = cls.__dict__.get(name)
            if callable(service) and not isinstance(service, staticmethod):
                setattr(cls, name, staticmethod(service))

    def has_delete_permission(self, request, obj=None):
        return self.delete_service is not None and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj.full_clean()
        self.save_service(**{self.user_arg: request.user, self.object_arg: obj})

    def save_related(self, request, form, formsets, change):
        """Inlines only: a many-to-many saved by the form would bypass the service (policy rows have none)."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        self.delete_queryset(request, [obj])

    def delete_queryset(self, request, queryset):
        if self.objects_arg is not None:
            self.delete_service(**{self.user_arg: request.user, self.objects_arg: list(queryset)})
            return
        with transaction.atomic():
            for obj in queryset:
                self.delete_service(**{self.user_arg: request.user, self.object_arg: obj})


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
