"""Celery tasks of sso: thin, safe to re-run."""
from celery import shared_task


@shared_task(name="sso.tasks.recheck_ldap_users", ignore_result=True)
def recheck_ldap_users() -> int:
    """Beat: re-read the LDAP groups of every active directory user, so that API tokens (which open no session
    the request re-check sees) lose access within the period too. Returns how many lost it."""
    from django.conf import settings

    from .backends import ldap_recheck
    from .choices import Provider
    from .models import DirectoryIdentity

    if "sso.backends.DirectoryLDAPBackend" not in settings.AUTHENTICATION_BACKENDS:
        return 0
    revoked = 0
    for identity in DirectoryIdentity.objects.filter(provider=Provider.LDAP, user__is_active=True).select_related(
            "user"):
        revoked += not ldap_recheck(identity.user, identity)
    return revoked
