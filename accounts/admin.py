from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin as BaseTokenAdmin
from rest_framework.authtoken.models import TokenProxy

from .models import Department, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "is_active", "is_superuser")
    list_filter = ("role", "departments", "is_active", "is_superuser")
    fieldsets = BaseUserAdmin.fieldsets + ((_("BankPM"), {"fields": ("role", "departments")}),)
    filter_horizontal = ("departments", "groups", "user_permissions")


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
