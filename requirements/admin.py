"""Admin: read-mostly views of the backlog; state changes go through the same service as the pages."""
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import Comment, Feedback, ProductVersion, Requirement, Tag


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """History can be read, not reverted: a revert would write the old status round the state machine (and was a
    500 from its concurrency check); changes go through the change form or the services."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            self.message_user(request, _("历史版本只能查看，不能在此恢复；请在编辑页修改。"), messages.ERROR)
            return redirect(request.path)
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Requirement)
class RequirementAdmin(ReadOnlyHistoryAdmin):
    list_display = ["id", "title", "product", "status", "priority", "rice_score", "assignee", "target_version"]
    list_filter = ["status", "priority", "source", "type"]
    search_fields = ["title", "description"]
    list_select_related = ["product", "assignee", "target_version"]
    raw_id_fields = ["product", "assignee", "target_version", "created_by"]
    readonly_fields = ["status", "status_reason", "rice_score", "delivered_at", "created_at", "updated_at"]
    actions = ["analyse"]

    @admin.action(description=_("开始分析"))
    def analyse(self, request, queryset):
        for requirement in queryset.select_related("product"):
            try:
                services.requirement_transition(user=request.user, requirement=requirement, transition="analyse")
            except services.TransitionRefused as error:
                self.message_user(request, f"#{requirement.pk}: {error.message}", messages.WARNING)


@admin.register(ProductVersion)
class ProductVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "product", "status", "planned_date", "released_on"]
    list_filter = ["status"]
    list_select_related = ["product"]
    readonly_fields = ["status", "released_on"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["id", "product", "channel", "sentiment", "received_on", "requirement"]
    list_filter = ["channel", "sentiment"]
    list_select_related = ["product", "requirement"]
    raw_id_fields = ["product", "requirement", "created_by"]


admin.site.register(Comment)
admin.site.register(Tag)
