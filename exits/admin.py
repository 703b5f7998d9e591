"""Admin: notice periods and task templates are editable (audited); plans, progress and tasks change only through
the services (pages and API), so here they are read-only."""
from django.contrib import admin

from core.admin import ReadOnlyAdmin

from . import services
from .models import ExitNoticePolicy, ExitPlan, ExitTask, ExitTaskTemplate


class AuditedPolicyAdmin(admin.ModelAdmin):
    """Saves and deletes go through the service, which audits them in the same transaction."""

    def save_model(self, request, obj, form, change):
        services.exit_policy_save(user=request.user, obj=obj)

    def delete_model(self, request, obj):
        services.exit_policy_delete(user=request.user, objs=[obj])

    def delete_queryset(self, request, queryset):
        services.exit_policy_delete(user=request.user, objs=list(queryset))


@admin.register(ExitNoticePolicy)
class ExitNoticePolicyAdmin(AuditedPolicyAdmin):
    list_display = ["category", "notice_days"]


@admin.register(ExitTaskTemplate)
class ExitTaskTemplateAdmin(AuditedPolicyAdmin):
    list_display = ["title", "code", "anchor", "offset_days", "position", "is_active"]
    list_filter = ["anchor", "is_active"]


@admin.register(ExitPlan)
class ExitPlanAdmin(ReadOnlyAdmin):
    list_display = ["product", "successor", "notice_date", "close_date", "updated_at"]
    search_fields = ["product__code"]


@admin.register(ExitTask)
class ExitTaskAdmin(ReadOnlyAdmin):
    list_display = ["title", "plan", "owner", "due_date", "status"]
    list_filter = ["status"]
