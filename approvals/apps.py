from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("审批引擎")

    def ready(self):
        from accounts.choices import DepartmentCode
        from core.audit import register_action_labeller, register_actions, register_value_labels
        from core.hooks import register_hook
        from products.sections import register_product_section

        from .choices import ApprovalAuditAction, ConditionStatus, Decision, GateReviewStatus
        from .engine import submission_action_label
        from .services import owner_change_guard

        register_actions(ApprovalAuditAction)
        register_action_labeller(ApprovalAuditAction.REVIEW_SUBMITTED, submission_action_label)
        register_value_labels(DepartmentCode, Decision, GateReviewStatus, ConditionStatus)
        register_hook("products", "edit_guard", owner_change_guard, key="lifecycle.owner_while_review_open")
        register_product_section(key="conditions", template="approvals/_product_conditions.html", order=15)
