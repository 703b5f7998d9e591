from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = _("单点登录")

    def ready(self):
        from core.audit import register_actions

        from .choices import SsoAuditAction

        register_actions(SsoAuditAction)
