"""Directory rules applied to a user: role and departments follow the directory at every login and re-check.

`directory_sync` is the one place a directory changes a user (OIDC and LDAP backends, the request re-check); it
audits the diff and, when a user leaves departments, escalates the open steps nobody is left to decide.
"""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import AUDITED_FIELDS
from core.audit import audit_edit, audit_record, field_values

from .choices import SsoAuditAction
from .models import DirectoryIdentity, DirectoryRule


def directory_grants(*, provider: str, groups: list[str]) -> tuple[str, list] | None:
    """(role, departments) the active rules give these groups (case-insensitive), or None: no access. The role
    is the highest-priority matching rule's that names one; without such a rule there is no access either."""
    wanted = {g.lower() for g in groups}
    rules = [r for r in DirectoryRule.objects.filter(provider=provider, is_active=True).prefetch_related("departments")
             if r.group.lower() in wanted]
    roles = [r for r in rules if r.role]
    if not roles:
        return None
    role = max(roles, key=lambda r: r.priority).role
    departments = {d.pk: d for r in rules for d in r.departments.all()}
    return role, list(departments.values())


@transaction.atomic
def directory_sync(*, user, provider: str, subject: str, groups: list[str]) -> bool:
    """Apply the directory's groups to `user` (saved or new); True if they may sign in. A user the rules no longer
    admit is deactivated (sessions and tokens stop working) and leaves every department."""
    User = get_user_model()  # noqa: N806 - a class
    if user.pk is not None and _unchanged(user=user, provider=provider, subject=subject, groups=groups):
        return user.is_active  # a re-check that finds nothing new writes nothing (re-checks run on GETs)
    if user.pk is None:
        user.set_unusable_password()
        user.save()
    user = User.objects.select_for_update().get(pk=user.pk)
    before = field_values(user, AUDITED_FIELDS)
    old_departments = set(user.departments.values_list("code", flat=True))
    grants = directory_grants(provider=provider, groups=groups)
    if grants is None:
        user.is_active = False
        user.save(update_fields=["is_active"])
        user.departments.clear()
    else:
        user.role, user.is_active = grants[0], True
        user.save(update_fields=["role", "is_active"])
        user.departments.set(grants[1])
    user.__dict__.pop("_department_codes", None)
    DirectoryIdentity.objects.update_or_create(user=user, defaults={
        "provider": provider, "subject": subject, "groups": sorted(groups), "checked_at": timezone.now()})
    action = SsoAuditAction.ACCESS_REVOKED if grants is None else SsoAuditAction.MEMBERSHIP_SYNCED
    if grants is None and before.get("is_active"):
        audit_record(action=action, obj=user, from_value=user.username, comment=provider)
    elif grants is not None:
        audit_edit(action=action, actor=None, obj=user, before=before, fields=AUDITED_FIELDS, comment=provider)
    lost = old_departments - set(user.departments.values_list("code", flat=True))
    if lost:
        from approvals.services import approval_steps_escalate_unstaffed

        approval_steps_escalate_unstaffed(departments=lost, comment=_("%(user)s 已不在目录组中") % {
            "user": user.username})
    return grants is not None


def _unchanged(*, user, provider: str, subject: str, groups: list[str]) -> bool:
    identity = DirectoryIdentity.objects.filter(user=user).first()
    if identity is None or (identity.provider, identity.subject, identity.groups) != (
            provider, subject, sorted(groups)):
        return False
    grants = directory_grants(provider=provider, groups=groups)
    fresh = get_user_model().objects.get(pk=user.pk)
    if grants is None:
        return not fresh.is_active
    departments = set(fresh.departments.values_list("pk", flat=True))
    return (fresh.role, fresh.is_active, departments) == (grants[0], True, {d.pk for d in grants[1]})


def local_password_allowed(user) -> bool:
    """Local passwords: on unless production switches them off; then only the break-glass administrators'."""
    if getattr(settings, "BANKPM_LOCAL_PASSWORDS", True):
        return True
    return user.username in getattr(settings, "BANKPM_BREAK_GLASS_USERS", ())


@transaction.atomic
def directory_rule_save(*, user, rule: DirectoryRule, departments=None) -> DirectoryRule:
    """Add or change a directory rule (administrators only), audited; it applies at each user's next check."""
    from django.core.exceptions import PermissionDenied

    from core.roles import is_administrator

    if not is_administrator(user):
        raise PermissionDenied(_("只有管理员可以修改目录映射规则。"))
    rule.full_clean()
    rule.save()
    if departments is not None:
        rule.departments.set(departments)
    audit_record(action=SsoAuditAction.RULE_CHANGED, actor=user, obj=rule, to_value=f"{rule.group} → {rule.role}",
                 comment=", ".join(rule.departments.values_list("code", flat=True)))
    return rule


@transaction.atomic
def directory_rule_delete(*, user, rules: list[DirectoryRule]) -> None:
    from django.core.exceptions import PermissionDenied

    from core.roles import is_administrator

    if not is_administrator(user):
        raise PermissionDenied(_("只有管理员可以修改目录映射规则。"))
    for rule in rules:
        audit_record(action=SsoAuditAction.RULE_CHANGED, actor=user, obj=rule, from_value=rule.group)
        rule.delete()
