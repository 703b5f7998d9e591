from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

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
