"""API rate limits: one bucket per API token (or signed-in session user) and one per client address, counted in the
Django cache (Redis in production, so every worker shares the count). Over the limit: 429 with `Retry-After`."""
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per API token; a session (the pages' htmx calls) counts per user."""

    scope = "token"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, Token):
            ident = f"token-{request.auth.key}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AddressRateThrottle(SimpleRateThrottle):
    """Requests per client address, signed in or not (the token endpoint included)."""

    scope = "address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
