"""Directory rules are admin data, saved through sso.services (audited); identities are read-only."""
from django.contrib import admin

from . import services
from .models import DirectoryIdentity, DirectoryRule


@admin.register(DirectoryRule)
class DirectoryRuleAdmin(admin.ModelAdmin):
    list_display = ["provider", "group", "role", "priority", "is_active"]
    list_filter = ["provider", "role", "is_active"]
    filter_horizontal = ["departments"]

    def save_model(self, request, obj, form, change):
        services.directory_rule_save(user=request.user, rule=obj)

    def save_related(self, request, form, formsets, change):
        services.directory_rule_save(user=request.user, rule=form.instance,
                                     departments=form.cleaned_data["departments"])

    def delete_model(self, request, obj):
        services.directory_rule_delete(user=request.user, rules=[obj])

    def delete_queryset(self, request, queryset):
        services.directory_rule_delete(user=request.user, rules=list(queryset))


@admin.register(DirectoryIdentity)
class DirectoryIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "provider", "subject", "checked_at"]
    list_filter = ["provider"]
    readonly_fields = ["user", "provider", "subject", "groups", "checked_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
