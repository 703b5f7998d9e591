from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = _("指标与绩效")

    def ready(self):
        from products.sections import register_product_section

        register_product_section(key="kpis", template="kpis/_product_section.html", order=30)
