"""A directory user loses access at their next request once the directory drops them (membership re-read)."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from .backends import ldap_recheck, oidc_recheck
from .models import DirectoryIdentity

LDAP_BACKEND = "sso.backends.DirectoryLDAPBackend"
OIDC_BACKEND = "sso.backends.DirectoryOIDCBackend"
CHECKED_KEY = "sso_checked_at"  # in the session: a re-check that finds no change writes no row


class DirectoryRecheckMiddleware:
    """For sessions opened through a directory backend only (local sessions cost nothing): re-read the user's
    groups when the last check is older than BANKPM_DIRECTORY_RECHECK_SECONDS (0: every request). Only a change
    is written (sso.services.directory_sync)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        backend = request.session.get(BACKEND_SESSION_KEY) if hasattr(request, "session") else None
        if backend in (LDAP_BACKEND, OIDC_BACKEND) and request.user.is_authenticated and not self._still_allowed(
                request, backend):
            logout(request)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("目录中已无您的访问权限。")}, status=401)
            messages.error(request, _("目录中已无您的访问权限，请联系管理员。"))
            return redirect(settings.LOGIN_URL)
        return self.get_response(request)

    def _still_allowed(self, request, backend) -> bool:
        identity = DirectoryIdentity.objects.filter(user=request.user).first()
        if identity is None:
            return False
        age = getattr(settings, "BANKPM_DIRECTORY_RECHECK_SECONDS", 0)
        now = timezone.now().timestamp()
        if age and now - request.session.get(CHECKED_KEY, 0) < age:
            return request.user.is_active
        if backend == LDAP_BACKEND:
            allowed = ldap_recheck(request.user, identity)
        else:
            allowed = oidc_recheck(request.user, identity, request.session.get("oidc_access_token"))
        if age:
            request.session[CHECKED_KEY] = now
        return allowed
