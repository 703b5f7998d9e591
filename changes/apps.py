from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    name = "changes"
    verbose_name = _("条款变更")

    def ready(self):
        from core.audit import register_actions
        from lifecycle.engine import register_on_approved
        from lifecycle.services import STAGE_GATE
        from products.sections import register_product_section
        from products.services import register_edit_guard

        from . import processes, services
        from .choices import ChangeAuditAction

        register_actions(ChangeAuditAction)
        from core.labels import register_alias

        register_alias("change", fields_of="product")
        register_alias("termsversion", fields_of="product")
        processes.register()
        register_on_approved(STAGE_GATE, services.terms_version_on_launch)
        register_edit_guard("changes.terms_frozen", services.terms_frozen_guard)
        register_edit_guard("changes.category_frozen", services.category_frozen_guard)
        register_edit_guard("changes.terms_review_pending", services.terms_review_pending_guard)
        register_product_section(key="changes", template="changes/_product_section.html", order=40)
