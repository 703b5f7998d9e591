from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExitsConfig(AppConfig):
    name = "exits"
    verbose_name = _("产品退出")

    def ready(self):
        from core.audit import register_actions
        from products.sections import register_product_section

        from . import hooks
        from .choices import ExitAuditAction

        register_actions(ExitAuditAction)
        hooks.register()
        register_product_section(key="exit_runbook", template="exits/_product_runbook.html", order=30)
        register_product_section(key="exit_arrivals", template="exits/_product_arrivals.html", order=31)
