from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequirementsConfig(AppConfig):
    name = "requirements"
    verbose_name = _("需求管理")

    def ready(self):
        from core.audit import register_actions
        from products.sections import register_product_section

        register_product_section(key="requirements", template="requirements/_product_section.html", order=20)

        from .choices import RequirementsAuditAction

        register_actions(RequirementsAuditAction)
        from core.audit import register_value_labels

        from .choices import RequirementStatus, VersionStatus

        register_value_labels(RequirementStatus, VersionStatus)
