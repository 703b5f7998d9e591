from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("委员会报告")

    def ready(self):
        from core.audit import register_actions

        from .choices import ReportsAuditAction

        register_actions(ReportsAuditAction)
