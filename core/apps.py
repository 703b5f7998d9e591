from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Cross-cutting rules below every business app: the audit chain, domain errors, role predicates."""

    name = "core"
    verbose_name = _("治理核心")

    def ready(self):
        from .fsm_states import skip_migration_states

        skip_migration_states()
