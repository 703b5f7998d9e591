from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def oidc_sign_in_label() -> str:
    """The identity provider's name for "Sign in with …", or "" when OpenID Connect is not configured."""
    if "sso.backends.DirectoryOIDCBackend" not in settings.AUTHENTICATION_BACKENDS:
        return ""
    return settings.BANKPM_OIDC_LABEL or "OpenID Connect"
