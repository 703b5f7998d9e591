"""Admin: users are saved through accounts.services.user_save, so role, department and active changes are
audited; users are deactivated, never deleted (the audit chain refers to them)."""
import copy

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin as BaseTokenAdmin
from rest_framework.authtoken.models import TokenProxy

from core.admin import AuditedPolicyAdmin

from . import services
from .models import ApiToken, Department, SecurityPolicy, User


class AuditedPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's password form, saved through accounts.services.user_password_set (audited, tokens revoked);
    `actor` is set per request by UserAdmin.user_change_password."""

    actor = None

    def save(self, commit=True):
        password = self.cleaned_data["password1"] if self.cleaned_data.get("set_usable_password", True) else None
        return services.user_password_set(actor=self.actor, user=self.user, password=password)


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

    def user_change_password(self, request, id, form_url=""):
        # A copy of this (shared) admin whose password form knows who acts, for this request only.
        per_request = copy.copy(self)
        per_request.change_password_form = type("ActorPasswordForm", (AuditedPasswordChangeForm,),
                                                {"actor": request.user})
        return super(UserAdmin, per_request).user_change_password(request, id, form_url)

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


# API tokens: issued only to their owner through POST /api/v1/auth/token/. The admin may revoke one (delete, audited),
# never mint or read one (it is named by owner and prefix), so that nobody acts through the API under another's name.
admin.site.unregister(TokenProxy)


@admin.register(ApiToken)
class TokenAdmin(BaseTokenAdmin):
    list_display = ("user", "key_hint", "created")
    fields = ("user", "key_hint", "created")
    readonly_fields = ("user", "key_hint", "created")

    @admin.display(description=_("令牌"))
    def key_hint(self, obj):
        return services.token_hint(obj.key)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.token_revoke(actor=request.user, token=obj, reason=_gettext("管理员吊销"))

    def delete_queryset(self, request, queryset):
        for token in queryset:
            self.delete_model(request, token)


@admin.register(SecurityPolicy)
class SecurityPolicyAdmin(AuditedPolicyAdmin):
    """One row (idle session timeout, API token lifetime), saved through the audited service; never deleted."""

    list_display = ("__str__", "session_idle_minutes", "token_lifetime_days")
    save_service, user_arg, object_arg = services.security_policy_save, "actor", "policy"

    def has_add_permission(self, request):
        return not SecurityPolicy.objects.exists()
