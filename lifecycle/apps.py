from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LifecycleConfig(AppConfig):
    name = "lifecycle"
    verbose_name = _("生命周期与阶段评审")

    def ready(self):
        from core.audit import register_actions

        from .choices import AuditAction

        register_actions(AuditAction)
