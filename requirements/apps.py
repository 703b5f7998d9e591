from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequirementsConfig(AppConfig):
    name = "requirements"
    verbose_name = _("需求管理")

    def ready(self):
        from products.sections import register_product_section

        register_product_section(key="requirements", template="requirements/_product_section.html", order=20)
