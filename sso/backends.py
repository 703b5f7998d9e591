"""Authentication backends: local passwords (switchable off but for break-glass administrators), OpenID Connect
(mozilla-django-oidc) and LDAP (django-auth-ldap), the directory ones applying `sso.services.directory_sync`.

mozilla-django-oidc rather than django-allauth: it is an authentication backend and three views, nothing else (no
account, e-mail or sign-up models to keep beside ours), it verifies the ID token and calls userinfo for us, and a
bank's single identity provider is exactly its case; allauth's strength, many social providers and local sign-up,
is what a bank does not want.
"""
from django.contrib.auth import get_user_model
from django_auth_ldap.backend import LDAPBackend
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from bankpm.auth import UserBackend

from .choices import Provider
from .services import directory_sync, local_password_allowed


class LocalPasswordBackend(UserBackend):
    """The ModelBackend of the app; refuses every local password when production switches them off, except the
    break-glass administrators' (BANKPM_BREAK_GLASS_USERS)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None or not local_password_allowed(user):
            return None
        return user


def oidc_groups(claims: dict) -> list[str]:
    groups = claims.get("groups") or []
    return [str(g) for g in groups] if isinstance(groups, list) else [str(groups)]


class DirectoryOIDCBackend(OIDCAuthenticationBackend):
    """Users are found by their directory subject (`sub`), named by `preferred_username`; the `groups` claim is
    applied through the directory rules at every login."""

    def verify_claims(self, claims):
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(directory_identity__provider=Provider.OIDC,
                                             directory_identity__subject=claims["sub"])

    def create_user(self, claims):
        username = claims.get("preferred_username") or claims["sub"]
        user = self.UserModel(username=username[:150], email=claims.get("email", ""),
                              first_name=claims.get("given_name", "")[:150],
                              last_name=claims.get("family_name", "")[:150])
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        allowed = directory_sync(user=user, provider=Provider.OIDC, subject=claims["sub"], groups=oidc_groups(claims))
        return get_user_model().objects.get(pk=user.pk) if allowed else None

    def get_user(self, user_id):
        return UserBackend().get_user(user_id)


class DirectoryLDAPBackend(LDAPBackend):
    """LDAP / Active Directory bind with the user's password; the user's group DNs are applied through the
    directory rules at every login (no mirrored Django groups, no flags from LDAP)."""

    def authenticate_ldap_user(self, ldap_user, password):
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is None:
            return None
        allowed = directory_sync(user=user, provider=Provider.LDAP, subject=ldap_user.dn,
                                 groups=sorted(ldap_user.group_dns))
        return get_user_model().objects.get(pk=user.pk) if allowed else None

    def get_user(self, user_id):
        return UserBackend().get_user(user_id)


def ldap_recheck(user, identity) -> bool:
    """Search the directory for the user with the service account and apply their groups now (no password)."""
    found = DirectoryLDAPBackend().populate_user(user.username)
    groups = sorted(found.ldap_user.group_dns) if found is not None else []
    return directory_sync(user=user, provider=Provider.LDAP, subject=identity.subject, groups=groups)


def oidc_recheck(user, identity, access_token: str | None) -> bool:
    """Ask the provider's userinfo endpoint with the session's access token; a refused token ends the session."""
    import requests
    from django.conf import settings

    if not access_token:
        return False
    try:
        response = requests.get(settings.OIDC_OP_USER_ENDPOINT, headers={"Authorization": f"Bearer {access_token}"},
                                timeout=10, verify=getattr(settings, "OIDC_VERIFY_SSL", True))
    except requests.RequestException:
        return user.is_active  # the provider is unreachable: keep the last known state until the next request
    if response.status_code != 200:
        return False
    claims = response.json()
    return directory_sync(user=user, provider=Provider.OIDC, subject=identity.subject, groups=oidc_groups(claims))
