"""Waiving a required deliverable is a decision: the manager asks (`deliverable_update` with `waived` moves a required
item to `waiver_requested`), the head of product or a reviewer of the product's next gate approves or refuses it
here, audited; until it is approved the item counts as open for the gate (`missing_deliverables`).

Four-eyes: whoever asked, the product's owner and the item's owner never decide the waiver. Lock order as in
lifecycle.services: product row, then the deliverable row, then the audit chain.
"""
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.choices import Role
from approvals.choices import Decision
from approvals.exceptions import GateConflict
from core.audit import audit_record
from core.roles import four_eyes_allows
from notifications.services import localised, notify
from products.models import Product

from .choices import AuditAction, DeliverableStatus, LifecycleError
from .models import Deliverable


def waiver_makers(*, deliverable: Deliverable) -> list[int | None]:
    return [deliverable.waiver_requested_by_id, deliverable.product.owner_id, deliverable.owner_id]


def gate_departments(*, product: Product) -> list[str]:
    """The departments that review the product's next stage gate (none at the end of the lifecycle)."""
    from .services import gate_policy_departments, next_stage

    target = next_stage(product=product)
    return [code for code, _days, _escalation in gate_policy_departments(product=product, to_stage=target)] \
        if target else []


def waiver_deciders(*, deliverable: Deliverable):
    """Active heads of product and reviewers of the next gate, without the makers."""
    departments = gate_departments(product=deliverable.product)
    return (get_user_model().objects.filter(is_active=True)
            .filter(Q(role=Role.HEAD_OF_PRODUCT) | Q(departments__code__in=departments))
            .exclude(pk__in=[pk for pk in waiver_makers(deliverable=deliverable) if pk is not None]).distinct())


def waiver_can_decide(*, user, deliverable: Deliverable) -> bool:
    """A head of product or a reviewer of the next gate, never one of the makers."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if not four_eyes_allows(user=user, makers=waiver_makers(deliverable=deliverable)):
        return False
    return user.is_head_of_product or bool(set(user.department_codes) & set(gate_departments(
        product=deliverable.product)))


def waiver_requested_notify(*, deliverable: Deliverable, user) -> None:
    """Tell those who may decide that a waiver waits for them (in the caller's transaction)."""
    product = deliverable.product
    notify(recipients=waiver_deciders(deliverable=deliverable),
           title_code=gettext_noop("待批准豁免：%(product)s「%(title)s」"),
           body_code=gettext_noop("%(user)s 申请豁免必需交付物，理由：%(reason)s"),
           params={"product": product.code, "title": deliverable.title, "user": str(user),
                   "reason": deliverable.waiver_reason},
           url=product.get_absolute_url())


@transaction.atomic
def deliverable_waiver_decide(*, user, deliverable: Deliverable, decision: str, comment: str = "") -> Deliverable:
    """Approve (the item counts as waived) or refuse (it is open again, the comment says why) a requested waiver.

    Refused, with nothing changed: a decision other than approve/reject, a refusal without a comment, an item with
    no waiver waiting (GateConflict), anybody but a head of product or a reviewer of the next gate, and the makers
    (PermissionDenied)."""
    if decision not in Decision.values:
        raise ValidationError({"decision": _("决定必须是 approve 或 reject。")})
    comment = (comment or "").strip()
    if decision == Decision.REJECT and not comment:
        raise ValidationError({"comment": _("驳回必须填写意见。")})
    product = Product.objects.select_for_update().get(pk=deliverable.product_id)
    deliverable = Deliverable.objects.select_for_update().select_related("product").get(pk=deliverable.pk)
    if deliverable.status != DeliverableStatus.WAIVER_REQUESTED:
        raise GateConflict(LifecycleError.WAIVER_NOT_REQUESTED)
    if not waiver_can_decide(user=user, deliverable=deliverable):
        raise PermissionDenied(_("只有产品主管或下一阶段评审的审批人可以审批豁免，且申请人和产品负责人不能审批。"))
    old = deliverable.status
    if decision == Decision.APPROVE:
        deliverable.approve_waiver()
        deliverable.completed_by, deliverable.completed_at = deliverable.waiver_requested_by, timezone.now()
    else:
        deliverable.reject_waiver()
    deliverable.waiver_decided_by, deliverable.waiver_decided_at = user, timezone.now()
    deliverable.full_clean(exclude=["attachment"])
    deliverable.save()
    action = AuditAction.DELIVERABLE_WAIVER_APPROVED if decision == Decision.APPROVE else \
        AuditAction.DELIVERABLE_WAIVER_REJECTED
    audit_record(action=action, actor=user, product=product, obj=deliverable, from_value=old,
                 to_value=deliverable.status, comment=f"{deliverable.title}" + (f": {comment}" if comment else ""))
    notify(recipients=[deliverable.waiver_requested_by],
           title_code=gettext_noop("%(product)s「%(title)s」的豁免申请：%(decision)s"),
           body_code="%(comment)s",
           params={"product": product.code, "title": deliverable.title, "comment": comment,
                   "decision": localised(Decision(decision).label)},
           url=product.get_absolute_url())
    return deliverable
