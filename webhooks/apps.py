from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhook 推送")

    def ready(self):
        from core.audit import register_actions, register_audit_listener
        from kpis.hooks import register_alert_opened

        from . import events
        from .choices import WebhookAuditAction

        register_actions(WebhookAuditAction)
        register_audit_listener(events.on_audit_entry)
        register_alert_opened(events.on_alerts_opened)
