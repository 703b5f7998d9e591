from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LifecycleConfig(AppConfig):
    name = "lifecycle"
    verbose_name = _("生命周期与阶段评审")

    def ready(self):
        from core.audit import register_actions, register_value_labels
        from core.hooks import register_hook
        from products.sections import register_product_section

        from . import processes  # noqa: F401  (registers the stage gate with the approval engine)
        from .choices import AuditAction, DeliverableStatus
        from .services import deliverables_start_checklist

        register_actions(AuditAction)
        register_value_labels(DeliverableStatus)
        register_hook("products", "product_created", deliverables_start_checklist)

        register_product_section(key="lifecycle", template="lifecycle/_product_panel.html", order=10, slot="top")
        register_product_section(key="history", template="lifecycle/_product_history.html", order=90)
