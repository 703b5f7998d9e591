from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = _("风险登记")

    def ready(self):
        from core.audit import register_actions
        from core.hooks import register_hook as register_app_hook
        from kpis.hooks import register_dashboard_card
        from lifecycle.choices import STAGE_GATE
        from lifecycle.engine import register_hook
        from lifecycle.snapshot_sections import register_section_template
        from products.sections import register_product_section

        from . import gate, processes, services
        from .choices import RiskAuditAction

        register_actions(RiskAuditAction)
        register_hook(STAGE_GATE, "precondition", gate.launch_precondition)
        register_hook(STAGE_GATE, "snapshot", gate.register_snapshot, key="risk_register")
        register_app_hook("kpis", "alert_opened", services.risks_flag_for_alerts)
        processes.register()
        register_section_template("risk", "risks/snapshot/risk.html", title=_("待接受的风险"))
        register_dashboard_card("risks/_dashboard_card.html")
        register_product_section(key="risks", template="risks/_product_section.html", order=40)
