from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = _("指标与绩效")

    def ready(self):
        from core.audit import register_actions
        from products.sections import register_product_section

        register_product_section(key="kpis", template="kpis/_product_section.html", order=30)

        from .choices import KpiAuditAction

        register_actions(KpiAuditAction)
        from core.audit import register_value_labels

        from .choices import AlertStatus

        register_value_labels(AlertStatus)
