"""User administration: role, departments and the active flag change only here, audited with the diff.

The admin's user form saves through `user_save`; nothing else writes these fields.
"""
from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_edit, audit_record, diff, field_values
from core.roles import is_administrator

from .choices import AccountAuditAction
from .models import User

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
    if created:
        audit_record(action=AccountAuditAction.USER_CREATED, actor=actor, obj=user, to_value=user.username,
                     changes=diff({}, field_values(user, AUDITED_FIELDS)))
    else:
        audit_edit(action=AccountAuditAction.USER_UPDATED, actor=actor, obj=user, before=before,
                   fields=AUDITED_FIELDS, comment=user.username)
    return user
