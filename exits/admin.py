"""Admin: notice periods and task templates are editable (audited); plans, progress and tasks change only through
the services (pages and API), so here they are read-only."""
from django.contrib import admin

from core.admin import AuditedPolicyAdmin, ReadOnlyAdmin

from . import services
from .models import ExitNoticePolicy, ExitPlan, ExitTask, ExitTaskTemplate


class ExitPolicyAdmin(AuditedPolicyAdmin):
    save_service, delete_service = services.exit_policy_save, services.exit_policy_delete


@admin.register(ExitNoticePolicy)
class ExitNoticePolicyAdmin(ExitPolicyAdmin):
    list_display = ["category", "notice_days"]


@admin.register(ExitTaskTemplate)
class ExitTaskTemplateAdmin(ExitPolicyAdmin):
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
