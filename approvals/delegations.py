"""Delegation rules (a service module of the approval engine): a reviewer names a substitute of one of their own
departments for a date range; while it runs the substitute sees and decides the delegator's steps.

A delegation never passes on further: a substitute acts only for the people who delegated to them directly, and only
in the delegator's own departments. Four-eyes is checked against both people (approvals.services).
"""
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import REVIEWING_DEPARTMENTS
from core.audit import audit_record
from core.roles import is_administrator

from .choices import ApprovalAuditAction as AuditAction
from .models import Delegation


def delegation_list(*, user) -> QuerySet[Delegation]:
    """Delegations the user gave or received (admins see all)."""
    rows = Delegation.objects.select_related("delegator", "delegate")
    return rows if is_administrator(user) else rows.filter(Q(delegator=user) | Q(delegate=user))


def delegations_active(*, delegate, on: date | None = None) -> QuerySet[Delegation]:
    """Delegations to `delegate` running on `on` (today by default); direct ones only, so never a chain."""
    on = on or timezone.localdate()
    return Delegation.objects.select_related("delegator").filter(delegate=delegate, starts_on__lte=on, ends_on__gte=on,
                                                                 delegator__is_active=True)


@transaction.atomic
def delegation_create(*, user, delegate, starts_on: date, ends_on: date) -> Delegation:
    """Name a substitute: a reviewer of one of the user's own departments, for a range that has not ended."""
    reviewing = set(user.department_codes) & set(REVIEWING_DEPARTMENTS)
    if not reviewing:
        raise PermissionDenied(_("只有审批部门的成员可以设置审批委托。"))
    errors = {}
    if delegate is None or not delegate.is_active:
        errors["delegate"] = [_("请选择有效的代理人。")]
    elif delegate.pk == user.pk:
        errors["delegate"] = [_("不能委托给自己。")]
    elif not (reviewing & set(delegate.department_codes)):
        errors["delegate"] = [_("代理人必须与您属于同一审批部门。")]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [_("结束日期不能早于开始日期。")]
    elif ends_on and ends_on < timezone.localdate():
        errors["ends_on"] = [_("结束日期不能早于今天。")]
    if errors:
        raise ValidationError(errors)
    delegation = Delegation(delegator=user, delegate=delegate, starts_on=starts_on, ends_on=ends_on)
    delegation.full_clean()
    delegation.save()
    audit_record(action=AuditAction.DELEGATION_CREATED, actor=user, obj=delegation, from_value=user.username,
                 to_value=delegate.username, comment=f"{starts_on.isoformat()} – {ends_on.isoformat()}")
    return delegation


@transaction.atomic
def delegation_delete(*, user, delegation: Delegation) -> None:
    """The delegator (or an admin) ends a delegation; decisions already taken under it stay."""
    if delegation.delegator_id != user.pk and not is_administrator(user):
        raise PermissionDenied(_("只有委托人可以取消该委托。"))
    audit_record(action=AuditAction.DELEGATION_ENDED, actor=user, obj=delegation,
                 from_value=delegation.delegator.username, to_value=delegation.delegate.username)
    delegation.delete()


def delegate_candidates(*, user) -> QuerySet:
    """Active colleagues of the user's departments, the people a delegation may name."""
    codes = set(user.department_codes) & set(REVIEWING_DEPARTMENTS)
    return (get_user_model().objects.filter(departments__code__in=codes, is_active=True)
            .exclude(pk=user.pk).distinct().order_by("username"))
