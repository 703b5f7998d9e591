from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The composition on top of every app: the search across them and the demo seed. No app imports it."""

    name = "portal"
    verbose_name = _("门户")
