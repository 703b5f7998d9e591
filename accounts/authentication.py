"""API token authentication with the security policy's lifetime: an expired token is refused (401) until its owner
asks the token endpoint for a new one."""
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from . import services


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if services.token_expired(token=token):
            raise exceptions.AuthenticationFailed(_("令牌已过期，请重新获取。"))
        return user, token
