from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    name = "changes"
    verbose_name = _("条款变更")

    def ready(self):
        from core.audit import register_actions
        from core.hooks import register_hook as register_app_hook
        from lifecycle.choices import STAGE_GATE
        from lifecycle.engine import register_hook
        from products.sections import register_product_section

        from . import processes, services
        from .choices import ChangeAuditAction

        register_actions(ChangeAuditAction)
        from core.labels import register_alias

        register_alias("change", fields_of="product")
        register_alias("termsversion", fields_of="product")
        processes.register()
        register_hook(STAGE_GATE, "approved", services.terms_version_on_launch)
        register_app_hook("products", "edit_guard", services.terms_frozen_guard, key="changes.terms_frozen")
        register_app_hook("products", "edit_guard", services.category_frozen_guard, key="changes.category_frozen")
        register_app_hook("products", "edit_guard", services.terms_review_pending_guard,
                          key="changes.terms_review_pending")
        register_product_section(key="changes", template="changes/_product_section.html", order=40)
