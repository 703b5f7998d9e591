from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhook 推送")

    def ready(self):
        from core.audit import register_actions, register_audit_listener
        from core.hooks import register_hook

        from . import events
        from .choices import WebhookAuditAction

        register_actions(WebhookAuditAction)
        register_audit_listener(events.on_audit_entry)
        register_hook("kpis", "alert_opened", events.on_alerts_opened)
