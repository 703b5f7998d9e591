from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoadmapConfig(AppConfig):
    name = "roadmap"
    verbose_name = _("产品路线图")

    def ready(self):
        from core.audit import register_actions
        from products.sections import register_product_section

        from .choices import RoadmapAuditAction

        register_actions(RoadmapAuditAction)
        register_product_section(key="roadmap", template="roadmap/_product_section.html", order=35)
