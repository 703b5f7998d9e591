"""User administration: role, departments, the active flag, passwords, API tokens and the security policy change
only here, audited (with the diff where there is one; never a password or a whole token).

The admin's user, password, token and policy forms save through these; nothing else writes these fields.
"""
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from core.audit import audit_edit, audit_record, diff, field_values
from core.roles import is_administrator

from .choices import AccountAuditAction
from .models import SecurityPolicy, User

# What decides what a user may do: every change of these is in the audit chain.
AUDITED_FIELDS = ("username", "role", "is_active", "is_staff", "is_superuser", "departments")


def user_can_administer(*, actor) -> bool:
    """Administrators manage users, their roles and departments."""
    return is_administrator(actor)


@transaction.atomic
def user_save(*, actor, user: User, departments: Iterable | None = None,
              save_related: Callable[[], None] | None = None) -> User:
    """Create or edit a user; `departments` (when given) replaces theirs; `save_related` saves the rest of a form's
    many-to-many fields (groups, permissions). One audit entry with the field-by-field diff."""
    if not user_can_administer(actor=actor):
        raise PermissionDenied(_("只有管理员可以管理用户。"))
    created = user.pk is None
    saved = None if created else User.objects.select_for_update().filter(pk=user.pk).first()
    before = {} if saved is None else field_values(saved, AUDITED_FIELDS)
    user.save()
    if save_related is not None:
        save_related()
    if departments is not None:
        user.departments.set(departments)
    user.__dict__.pop("_department_codes", None)
    if saved is not None and saved.is_active and not user.is_active:
        tokens_revoke(actor=actor, user=user, reason=_("用户已停用"))
    if created:
        audit_record(action=AccountAuditAction.USER_CREATED, actor=actor, obj=user, to_value=user.username,
                     changes=diff({}, field_values(user, AUDITED_FIELDS)))
    else:
        audit_edit(action=AccountAuditAction.USER_UPDATED, actor=actor, obj=user, before=before,
                   fields=AUDITED_FIELDS, comment=user.username)
    return user


# --- Passwords and API tokens -------------------------------------------------------------------------------------

def token_hint(key: str) -> str:
    """What is ever shown or audited of a token: its first four characters."""
    return f"{key[:4]}…"


@transaction.atomic
def user_password_set(*, actor, user: User, password: str | None) -> User:
    """Set (or, with None, disable) a user's password; their API tokens are revoked with it. Audited without
    any trace of the password."""
    if not user_can_administer(actor=actor) and actor.pk != user.pk:
        raise PermissionDenied(_("只有管理员可以修改其他用户的密码。"))
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(action=AccountAuditAction.PASSWORD_CHANGED, actor=actor, obj=user, comment=user.username)
    tokens_revoke(actor=actor, user=user, reason=_("密码已修改"))
    return user


def tokens_revoke(*, actor, user: User, reason: str) -> int:
    """Delete the user's API tokens, one audit entry each (by prefix)."""
    revoked = 0
    for token in Token.objects.select_for_update().filter(user=user):
        token_revoke(actor=actor, token=token, reason=reason)
        revoked += 1
    return revoked


@transaction.atomic
def token_revoke(*, actor, token: Token, reason: str) -> None:
    """Revoke one API token (the admin's delete, a password change, a deactivation, expiry)."""
    audit_record(action=AccountAuditAction.TOKEN_REVOKED, actor=actor, obj=token.user,
                 from_value=token_hint(token.key), comment=reason)
    Token.objects.filter(key=token.key).delete()


def token_expired(*, token: Token, now=None) -> bool:
    """Older than the security policy's token lifetime."""
    lifetime = timedelta(days=SecurityPolicy.current().token_lifetime_days)
    return token.created + lifetime <= (now or timezone.now())


@transaction.atomic
def token_issue(*, user: User) -> Token:
    """The user's API token (issued only to its owner, by the token endpoint): the current one, or a new one when
    there is none or it expired (the old one revoked). Issuing is audited by prefix."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and not token_expired(token=token):
        return token
    if token is not None:
        token_revoke(actor=user, token=token, reason=_("令牌已过期"))
    token = Token.objects.create(user=user)
    audit_record(action=AccountAuditAction.TOKEN_ISSUED, actor=user, obj=user, to_value=token_hint(token.key))
    return token


# --- The security policy ------------------------------------------------------------------------------------------

POLICY_FIELDS = ("session_idle_minutes", "token_lifetime_days")


@transaction.atomic
def security_policy_save(*, actor, policy: SecurityPolicy) -> SecurityPolicy:
    """Administrators set the idle session timeout and the API token lifetime; audited with the diff."""
    if not user_can_administer(actor=actor):
        raise PermissionDenied(_("只有管理员可以修改安全策略。"))
    saved = SecurityPolicy.objects.select_for_update().filter(pk=policy.pk).first() if policy.pk else None
    before = field_values(saved or SecurityPolicy(), POLICY_FIELDS)
    policy.full_clean()
    policy.save()
    audit_edit(action=AccountAuditAction.SECURITY_POLICY_UPDATED, actor=actor, obj=policy, before=before,
               fields=POLICY_FIELDS)
    cache.delete(SecurityPolicy.CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(SecurityPolicy.CACHE_KEY))  # a reader may have cached the old row
    return policy
