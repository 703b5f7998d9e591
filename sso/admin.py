"""Directory rules are admin data, saved through sso.services (audited); identities are read-only."""
from django.contrib import admin

from core.admin import AuditedPolicyAdmin

from . import services
from .models import DirectoryIdentity, DirectoryRule


@admin.register(DirectoryRule)
class DirectoryRuleAdmin(AuditedPolicyAdmin):
    list_display = ["provider", "group", "role", "priority", "is_active"]
    list_filter = ["provider", "role", "is_active"]
    filter_horizontal = ["departments"]
    save_service, delete_service = services.directory_rule_save, services.directory_rule_delete
    object_arg, objects_arg = "rule", "rules"

    def save_related(self, request, form, formsets, change):
        """The departments (many-to-many) through the service as well."""
        services.directory_rule_save(user=request.user, rule=form.instance,
                                     departments=form.cleaned_data["departments"])


@admin.register(DirectoryIdentity)
class DirectoryIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "provider", "subject", "checked_at"]
    list_filter = ["provider"]
    readonly_fields = ["user", "provider", "subject", "groups", "checked_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
