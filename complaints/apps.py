from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("投诉登记簿")

    def ready(self):
        from core.audit import register_actions
        from core.hooks import register_hook

        from . import kpi
        from .choices import ComplaintAuditAction

        register_actions(ComplaintAuditAction)
        register_hook("kpis", "metric_source", kpi.register_fed)
