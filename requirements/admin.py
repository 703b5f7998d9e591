"""Admin: every save, delete and action goes through requirements.services, like the pages and the API."""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin_history import WordedHistoryAdmin
from core.errors import DomainConflict, error_text

from . import services
from .models import Comment, Feedback, ProductVersion, Requirement, Tag

REFUSALS = (PermissionDenied, ValidationError, DomainConflict)


def _data(form, fields) -> dict:
    return {name: value for name, value in form.cleaned_data.items() if name in fields}


class ServiceSavedAdmin(admin.ModelAdmin):
    """The service saved the object and its many-to-many fields; the form's own m2m save would bypass it."""

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @staticmethod
    def _adopt(obj, saved) -> None:
        obj.pk, obj._state.adding = saved.pk, False


@admin.register(Requirement)
class RequirementAdmin(ServiceSavedAdmin, WordedHistoryAdmin):
    list_display = ["id", "title", "product", "status", "priority", "rice_score", "assignee", "target_version"]
    list_filter = ["status", "priority", "source", "type"]
    search_fields = ["title", "description"]
    list_select_related = ["product", "assignee", "target_version"]
    raw_id_fields = ["product", "assignee", "target_version"]
    readonly_fields = ["status", "status_reason", "rice_score", "delivered_at", "created_by", "created_at",
                       "updated_at"]
    actions = ["analyse"]

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Past versions can be viewed; a revert would rewrite fields and status past the service's rules."""
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        data = _data(form, services.REQUIREMENT_FIELDS)
        if "tags" in form.cleaned_data:
            data["tags"] = [tag.name for tag in form.cleaned_data["tags"]]
        if change:
            saved = services.requirement_update(user=request.user, requirement=obj, data=data)
        else:
            saved = services.requirement_create(user=request.user, data=data)
        self._adopt(obj, saved)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or services.requirement_can_delete(requirement=obj))

    def delete_model(self, request, obj):
        services.requirement_delete(user=request.user, requirement=obj)

    def delete_queryset(self, request, queryset):
        for requirement in queryset.select_related("product"):
            services.requirement_delete(user=request.user, requirement=requirement)

    @admin.action(description=_("开始分析"))
    def analyse(self, request, queryset):
        for requirement in queryset.select_related("product"):
            try:
                services.requirement_transition(user=request.user, requirement=requirement, transition="analyse")
            except services.TransitionRefused as error:
                self.message_user(request, f"#{requirement.pk}: {error.message}", messages.WARNING)


@admin.register(ProductVersion)
class ProductVersionAdmin(ServiceSavedAdmin):
    list_display = ["name", "product", "status", "planned_date", "released_on"]
    list_filter = ["status"]
    list_select_related = ["product"]
    readonly_fields = ["status", "released_on"]
    actions = ["release"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "product"] if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # versions carry requirements and releases: they are kept

    def save_model(self, request, obj, form, change):
        data = _data(form, services.VERSION_FIELDS)
        if change:
            saved = services.version_update(user=request.user, version=obj, data=data)
        else:
            saved = services.version_create(user=request.user, data=data)
        self._adopt(obj, saved)

    @admin.action(description=_("发布所选版本"))
    def release(self, request, queryset):
        for version in queryset.select_related("product"):
            try:
                services.version_release(user=request.user, version=version)
            except REFUSALS as error:
                self.message_user(request, f"{version}: {error_text(error)}", messages.WARNING)


@admin.register(Feedback)
class FeedbackAdmin(ServiceSavedAdmin):
    list_display = ["id", "product", "channel", "sentiment", "received_on", "requirement"]
    list_filter = ["channel", "sentiment"]
    list_select_related = ["product", "requirement"]
    raw_id_fields = ["product"]
    # Feedback becomes a requirement only through the (audited) conversion.
    readonly_fields = ["requirement", "created_by"]

    def save_model(self, request, obj, form, change):
        data = _data(form, services.FEEDBACK_FIELDS)
        if change:
            saved = services.feedback_update(user=request.user, feedback=obj, data=data)
        else:
            saved = services.feedback_create(user=request.user, data=data)
        self._adopt(obj, saved)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or services.feedback_can_delete(feedback=obj))

    def delete_model(self, request, obj):
        services.feedback_delete(user=request.user, feedback=obj)

    def delete_queryset(self, request, queryset):
        for feedback in queryset.select_related("product"):
            services.feedback_delete(user=request.user, feedback=feedback)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Comments are read here; they are written on the requirement page (mentions notify through the service)."""

    list_display = ["requirement", "author", "created_at"]
    list_select_related = ["requirement", "author"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # writing one is audited (comment_create); no unaudited removal here


admin.site.register(Tag)
