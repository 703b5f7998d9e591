"""Admin: users are saved through accounts.services.user_save, so role, department and active changes are
audited; users are deactivated, never deleted (the audit chain refers to them)."""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin as BaseTokenAdmin
from rest_framework.authtoken.models import TokenProxy

from . import services
from .models import Department, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None else ()  # gate policies and reviews refer to the code

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "is_active", "is_superuser")
    list_filter = ("role", "departments", "is_active", "is_superuser")
    fieldsets = BaseUserAdmin.fieldsets + ((_("BankPM"), {"fields": ("role", "departments")}),)
    filter_horizontal = ("departments", "groups", "user_permissions")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Saved with its many-to-many fields in save_related, through the service, as one audited change."""

    def save_related(self, request, form, formsets, change):
        user = form.instance
        departments = form.cleaned_data.get("departments")
        others = [name for name in ("groups", "user_permissions") if name in form.cleaned_data]

        def save_other_m2m():
            for name in others:
                getattr(user, name).set(form.cleaned_data[name])

        services.user_save(actor=request.user, user=user, departments=departments, save_related=save_other_m2m)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

# API tokens: issued only to their owner through POST /api/v1/auth/token/. The admin may revoke one (delete), never
# mint or read one, so that nobody acts through the API under another user's name.
admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(BaseTokenAdmin):
    list_display = ("user", "key_hint", "created")
    fields = ("user", "created")
    readonly_fields = ("user", "created")

    @admin.display(description=_("令牌"))
    def key_hint(self, obj):
        return f"{obj.key[:4]}…"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
