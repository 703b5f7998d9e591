"""Admin: deliverable templates are editable (audited like policy rows); deliverables go through the service."""
from django.contrib import admin

from approvals import services as approval_services
from core.admin import AuditedPolicyAdmin

from . import services
from .models import Deliverable, DeliverableTemplate


class LifecyclePolicyAdmin(AuditedPolicyAdmin):
    """Deliverable templates: saved through their service (which also adds an active template's item to the
    products in its stage), deleted through the engine's audited policy delete."""

    user_arg, object_arg = "user", "template"
    save_service = services.deliverable_template_save
    delete_service = approval_services.gate_policy_delete


@admin.register(DeliverableTemplate)
class DeliverableTemplateAdmin(LifecyclePolicyAdmin):
    list_display = ["title", "stage", "required", "due_in_days", "position", "is_active"]
    list_filter = ["stage", "required", "is_active"]


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
