from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LifecycleConfig(AppConfig):
    name = "lifecycle"
    verbose_name = _("生命周期与阶段评审")

    def ready(self):
        from core.audit import register_actions

        from .choices import AuditAction

        register_actions(AuditAction)
        from core.audit import register_action_labeller

        from .engine import submission_action_label

        register_action_labeller(AuditAction.REVIEW_SUBMITTED, submission_action_label)
        from accounts.choices import DepartmentCode
        from core.audit import register_value_labels

        from .choices import ConditionStatus, Decision, DeliverableStatus, GateReviewStatus

        register_value_labels(DepartmentCode, DeliverableStatus, Decision, GateReviewStatus, ConditionStatus)
        from core.hooks import register_hook
        from products.sections import register_product_section

        from . import processes  # noqa: F401  (registers the stage gate with the engine)
        from .services import deliverables_start_checklist, owner_change_guard

        register_hook("products", "product_created", deliverables_start_checklist)
        register_hook("products", "edit_guard", owner_change_guard, key="lifecycle.owner_while_review_open")

        register_product_section(key="lifecycle", template="lifecycle/_product_panel.html", order=10, slot="top")
        register_product_section(key="conditions", template="lifecycle/_product_conditions.html", order=15)
        register_product_section(key="history", template="lifecycle/_product_history.html", order=90)
