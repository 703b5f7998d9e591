"""Recorded runs of the audit-chain check: `manage.py verify_audit` and the nightly beat task call this."""
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from .audit import audit_verify
from .models import AuditEntry, AuditVerification


def audit_administrators():
    return get_user_model().objects.filter(Q(is_superuser=True) | Q(role="administrator"), is_active=True)


@transaction.atomic
def audit_verification_run(*, notify_on_break: bool = True) -> AuditVerification:
    """Verify the whole chain, record the run, and tell the administrators when it is broken."""
    ran_at = timezone.now()
    broken = audit_verify()
    entries = AuditEntry.objects.all()
    checked = entries.filter(pk__lte=broken.pk).count() if broken is not None else entries.count()
    run = AuditVerification(ran_at=ran_at, entries_checked=checked, intact=broken is None, first_broken=broken)
    run.save()
    if broken is not None and notify_on_break:
        from notifications.services import notify

        notify(recipients=audit_administrators(),
               title_code=gettext_noop("审计链校验失败：第 %(id)s 条记录被改动"),
               body_code=gettext_noop("%(at)s 的校验发现审计链在第 %(id)s 条记录处断开，请立即核查数据库变更。"),
               params={"at": timezone.localtime(ran_at).strftime("%Y-%m-%d %H:%M"), "id": broken.pk},
               url="/audit/")
    return run


def last_verification() -> AuditVerification | None:
    return AuditVerification.objects.select_related("first_broken").first()
