"""Admin: changes and terms versions are read-only records; the one write (withdrawing) goes through the service."""
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.errors import DOMAIN_ERRORS, error_text

from . import services
from .models import Change, PilotCriterion, TermsVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PilotCriterionInline(admin.TabularInline):
    model = PilotCriterion
    extra = 0
    fields = ["metric", "op", "value"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Change)
class ChangeAdmin(ReadOnlyAdmin):
    list_display = ["id", "product", "summary", "reason", "status", "pilot", "created_by", "created_at"]
    list_filter = ["status", "reason", "pilot"]
    search_fields = ["summary", "product__code"]
    list_select_related = ["product", "created_by"]
    inlines = [PilotCriterionInline]
    actions = ["withdraw"]

    @admin.action(description=_("撤回所选变更（管理后台）"))
    def withdraw(self, request, queryset):
        for change in queryset:
            try:
                services.change_withdraw(user=request.user, change=change, reason=str(_("管理后台撤回")))
            except DOMAIN_ERRORS as error:
                self.message_user(request, f"{change}: {error_text(error)}", messages.ERROR)
            else:
                self.message_user(request, f"{change} ✓", messages.SUCCESS)


@admin.register(TermsVersion)
class TermsVersionAdmin(ReadOnlyAdmin):
    list_display = ["product", "version", "effective_from", "effective_to", "applied_at"]
    list_select_related = ["product"]
    search_fields = ["product__code"]
