from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = _("风险登记")

    def ready(self):
        from core.audit import register_actions
        from kpis.hooks import register_alert_opened, register_dashboard_card
        from lifecycle.engine import register_precondition, register_snapshot_section
        from lifecycle.snapshot_sections import register_section_template
        from products.sections import register_product_section

        from . import gate, processes, services
        from .choices import RiskAuditAction

        register_actions(RiskAuditAction)
        register_precondition("stage_gate", gate.launch_precondition)
        register_snapshot_section("stage_gate", "risk_register", gate.register_snapshot)
        processes.register()
        register_section_template("risk", "risks/snapshot/risk.html", title=_("待接受的风险"))
        register_alert_opened(services.risks_flag_for_alerts)
        register_dashboard_card("risks/_dashboard_card.html")
        register_product_section(key="risks", template="risks/_product_section.html", order=40)
