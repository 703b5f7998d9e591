from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LifecycleConfig(AppConfig):
    name = "lifecycle"
    verbose_name = _("生命周期与阶段评审")

    def ready(self):
        from core.audit import register_actions

        from .choices import AuditAction

        register_actions(AuditAction)
        from products.sections import register_product_section

        from . import processes  # noqa: F401  (registers the stage gate with the engine)

        register_product_section(key="lifecycle", template="lifecycle/_product_panel.html", order=10, slot="top")
        register_product_section(key="history", template="lifecycle/_product_history.html", order=90)
