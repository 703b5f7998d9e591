"""Admin: policies and templates are editable (audited); reviews decide through the service; history is read-only."""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedPolicyAdmin, ReadOnlyInline
from core.errors import error_text

from . import services
from .choices import Decision, StepStatus
from .exceptions import GateConflict
from .models import ApprovalStep, Deliverable, DeliverableTemplate, GatePolicy, GateReview


class LifecyclePolicyAdmin(AuditedPolicyAdmin):
    save_service, delete_service = services.gate_policy_save, services.gate_policy_delete


@admin.register(DeliverableTemplate)
class DeliverableTemplateAdmin(LifecyclePolicyAdmin):
    list_display = ["title", "stage", "required", "due_in_days", "position", "is_active"]
    list_filter = ["stage", "required", "is_active"]


@admin.register(GatePolicy)
class GatePolicyAdmin(LifecyclePolicyAdmin):
    list_display = ["department", "target_stage", "category", "min_risk_rating", "due_working_days",
                    "escalation_days", "is_active"]
    list_filter = ["department", "target_stage", "category", "is_active"]


@admin.register(Deliverable)
class DeliverableAdmin(admin.ModelAdmin):
    list_display = ["title", "product", "stage", "status", "owner", "due_date"]
    list_filter = ["stage", "status"]
    search_fields = ["title", "product__code"]
    # `required` comes from the template: skipping a required item is an audited waiver, never a silent edit here.
    readonly_fields = ["product", "stage", "template", "required", "status", "waiver_reason", "completed_by",
                       "completed_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # kept with the product's history (core.retention)

    def save_model(self, request, obj, form, change):
        # The form has already set the values on `obj`; the service writes them, audited, from the stored row.
        data = {name: getattr(obj, name) for name in form.changed_data if name in services.DELIVERABLE_DETAIL_FIELDS}
        if data:
            services.deliverable_edit(user=request.user, deliverable=obj, data=data)


class ApprovalStepInline(ReadOnlyInline):
    model = ApprovalStep
    fields = ["department", "status", "due_date", "decided_by", "decision", "comment", "overdue"]


@admin.register(GateReview)
class GateReviewAdmin(admin.ModelAdmin):
    """Reviews are read-only here; the action decides the admin's own departments' steps through the service."""

    list_display = ["product", "from_stage", "to_stage", "status", "submitted_by", "submitted_at"]
    list_filter = ["status", "to_stage"]
    readonly_fields = ["product", "from_stage", "to_stage", "status", "submitted_by", "submitted_at", "decided_at"]
    inlines = [ApprovalStepInline]
    actions = ["approve_my_steps"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("以我的部门同意所选评审"))
    def approve_my_steps(self, request, queryset):
        """Like the page: a comment and a confirmation first, then the service decides each step (four-eyes,
        departments and segregation of duties apply)."""
        reviews = list(queryset.select_related("product"))
        comment = (request.POST.get("comment") or "").strip()
        confirmed = request.POST.get("post") == "yes" and request.POST.get("confirm") == "yes"
        if not (confirmed and comment):
            error = _("请填写审批意见并确认。") if request.POST.get("post") == "yes" else ""
            return TemplateResponse(request, "admin/lifecycle/gatereview/approve_my_steps.html", {
                **self.admin_site.each_context(request), "title": _("确认同意所选评审"), "reviews": reviews,
                "comment": comment, "error": error, "opts": self.model._meta})
        for review in reviews:
            for step in review.steps.filter(status=StepStatus.PENDING, department__in=request.user.department_codes):
                try:
                    services.approval_step_decide(review=review, department=step.department, user=request.user,
                                                  decision=Decision.APPROVE, comment=comment)
                except (PermissionDenied, ValidationError, GateConflict) as error:
                    self.message_user(request, f"{review}: {error_text(error)}", messages.ERROR)
                else:
                    self.message_user(request, f"{review}: {step.get_department_display()} ✓", messages.SUCCESS)
        return None
