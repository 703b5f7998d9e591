"""Who receives the committee packs: confidential portfolio figures leave the app by these rows, so every change
to them is an administrator's, audited in its transaction."""
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_edit, audit_record, field_values
from core.roles import is_administrator

from .choices import ReportsAuditAction
from .models import PackSubscription

FIELDS = ("kind", "language", "user")


def _check(user) -> None:
    if not is_administrator(user):
        raise PermissionDenied(_("只有管理员可以维护报告订阅。"))


@transaction.atomic
def pack_subscription_save(*, user, subscription: PackSubscription) -> PackSubscription:
    """Create or change a subscription (administrators only), audited with its diff."""
    _check(user)
    before = ({} if subscription.pk is None else
              field_values(PackSubscription.objects.select_for_update().get(pk=subscription.pk), FIELDS))
    subscription.full_clean()
    subscription.save()
    audit_edit(action=ReportsAuditAction.SUBSCRIPTION_SAVED, actor=user, obj=subscription, before=before,
               fields=FIELDS)
    return subscription


@transaction.atomic
def pack_subscription_delete(*, user, subscription: PackSubscription) -> None:
    """End a subscription (administrators only), audited."""
    _check(user)
    audit_record(action=ReportsAuditAction.SUBSCRIPTION_DELETED, actor=user, obj=subscription,
                 from_value=f"{subscription.kind} {subscription.language} {subscription.user_id}")
    subscription.delete()
