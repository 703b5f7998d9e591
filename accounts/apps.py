from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("账户与部门")

    def ready(self):
        from core.audit import register_actions

        from .choices import AccountAuditAction

        register_actions(AccountAuditAction)

        from django.contrib.auth.signals import user_logged_in

        from .middleware import session_started

        user_logged_in.connect(session_started, dispatch_uid="accounts-session-started")
