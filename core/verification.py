"""Recorded runs of the audit-chain check: `manage.py verify_audit` and the nightly beat task call
`audit_verification_run`; an administrator starts one from the audit page (`audit_verification_request`), a Celery
task runs it (`audit_verification_complete`) and reports its progress to the result backend."""
import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bankpm.broker import publish

from .audit import audit_verify
from .models import AuditEntry, AuditVerification, AuditVerificationRun

# A requested run without a result after this long is taken as lost (its worker died); another may be started.
RUN_STALE_AFTER = timedelta(minutes=15)


def audit_administrators():
    return get_user_model().objects.filter(Q(is_superuser=True) | Q(role="administrator"), is_active=True)


@transaction.atomic
def audit_verification_run(*, notify_on_break: bool = True, requested_by=None, progress=None) -> AuditVerification:
    """Verify the whole chain, record the run, and tell the administrators when it is broken."""
    ran_at = timezone.now()
    broken = audit_verify(progress=progress)
    entries = AuditEntry.objects.all()
    checked = entries.filter(pk__lte=broken.pk).count() if broken is not None else entries.count()
    run = AuditVerification(ran_at=ran_at, entries_checked=checked, intact=broken is None, first_broken=broken,
                            requested_by=requested_by)
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
    return AuditVerification.objects.select_related("first_broken", "requested_by").first()


def audit_verification_can_start(*, user) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.is_admin))


def audit_verification_open_run() -> AuditVerificationRun | None:
    """The requested run still under way (not finished, not stale), if any."""
    return (AuditVerificationRun.objects.select_related("requested_by")
            .filter(verification__isnull=True, requested_at__gte=timezone.now() - RUN_STALE_AFTER).first())


@transaction.atomic
def audit_verification_request(*, user) -> AuditVerificationRun:
    """An administrator asks for a verification now: one run at a time (a second request gets the run under way),
    queued after commit; returns the run whose progress the page follows. Anybody else is refused."""
    if not audit_verification_can_start(user=user):
        raise PermissionDenied(_("只有管理员可以发起审计链校验。"))
    # Two requests in the same instant would at worst verify twice (read-only, harmless): no lock needed.
    under_way = audit_verification_open_run()
    if under_way is not None:
        return under_way
    run = AuditVerificationRun.objects.create(id=uuid.uuid4(), requested_by=user)
    transaction.on_commit(lambda: _publish(run))
    return run


def _publish(run: AuditVerificationRun) -> None:
    from .tasks import verify_audit_chain_now

    publish(lambda: verify_audit_chain_now.apply_async(args=[str(run.id)], task_id=str(run.id)),
            what=f"audit verification {run.id}")


@transaction.atomic
def audit_verification_complete(*, run_id: str, progress=None) -> AuditVerification | None:
    """The worker's side of a requested run: verify, record, link the result to the run. Safe to re-run: a run
    that already has its result is left alone."""
    run = AuditVerificationRun.objects.select_for_update().select_related("requested_by").filter(pk=run_id).first()
    if run is None or run.verification_id is not None:
        return None
    run.verification = audit_verification_run(requested_by=run.requested_by, progress=progress)
    run.save(update_fields=["verification"])
    return run.verification
