from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    name = "products"
    verbose_name = _("产品目录")

    def ready(self):
        from core.audit import register_actions

        from .choices import ProductAuditAction

        register_actions(ProductAuditAction)
