"""Stage gates on the approval engine: deliverables, the gate's submission and its approval (the product's move).

Pages, the API, the admin, Celery tasks and management commands all call these functions; none of them
re-implements a rule. The engine (approvals) owns reviews, steps and decisions; lifecycle.processes declares the
stage gate. Lock order everywhere: product row, then review row, then step rows, then the audit chain's advisory lock.
"""
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from approvals.engine import PRODUCT_TERMS, get_process
from approvals.exceptions import GateConflict
from approvals.models import GateReview
from approvals.selectors import review_pending
from approvals.services import gate_policy_save, policy_steps, review_submit
from core.audit import audit_edit, audit_record, field_values
from core.roles import is_portfolio_manager
from notifications.services import localised, notify
from products.choices import STAGE_ORDER, LifecycleStage
from products.models import Product

from . import waivers
from .choices import STAGE_GATE, AuditAction, DeliverableStatus, LifecycleError
from .models import Deliverable, DeliverableTemplate

S = LifecycleStage


# Target stage -> the Product state-machine transition that reaches it.
TRANSITION_METHODS = {
    S.DEVELOPMENT: "start_development", S.MARKETING: "launch", S.OPERATION: "begin_operation",
    S.RETIREMENT: "begin_retirement", S.RETIRED: "retire", S.CANCELLED: "cancel",
}


def stage_targets(*, product: Product) -> list[str]:
    """Stages the product's state machine can move to from its current stage."""
    return [t.target for t in product.get_available_stage_transitions()]


def next_stage(*, product: Product) -> str | None:
    """The next stage on the main line, or None at the end of the lifecycle."""
    if product.stage not in STAGE_ORDER or product.stage == STAGE_ORDER[-1]:
        return None
    return STAGE_ORDER[STAGE_ORDER.index(product.stage) + 1]


# --- Deliverables ---------------------------------------------------------------------------------------------

def deliverables_ensure(*, product: Product) -> int:
    """Create the current stage's checklist from the active templates (missing items only); returns how many
    were missing."""
    templates = DeliverableTemplate.objects.filter(stage=product.stage, is_active=True).exclude(
        deliverables__product=product)
    templates = list(templates)
    if not templates:  # the usual case on a page view: no write at all
        return 0
    today = timezone.localdate()
    rows = [
        Deliverable(product=product, stage=product.stage, template=t, title=t.title, title_en=t.title_en,
                    required=t.required, owner_id=product.owner_id, due_date=today + timedelta(days=t.due_in_days))
        for t in templates
    ]
    # ignore_conflicts: a concurrent reader may create the same items; the unique constraint keeps one of each.
    Deliverable.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def deliverables_start_checklist(*, product: Product, user=None) -> None:
    """products' on-created hook: a new product starts with its first stage's checklist."""
    deliverables_ensure(product=product)


def deliverables_add_template(*, template: DeliverableTemplate) -> int:
    """A saved active template adds its item to every product now in its stage that lacks it (set-based)."""
    if not template.is_active:
        return 0
    today = timezone.localdate()
    products = Product.objects.filter(stage=template.stage).exclude(deliverables__template=template).values_list(
        "pk", "owner_id")
    rows = [Deliverable(product_id=pk, stage=template.stage, template=template, title=template.title,
                        title_en=template.title_en, required=template.required, owner_id=owner,
                        due_date=today + timedelta(days=template.due_in_days)) for pk, owner in products]
    Deliverable.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def deliverable_can_edit(*, user, deliverable: Deliverable) -> bool:
    """The item's owner, the product's owner, heads of product and admins tick items."""
    if not user.is_authenticated:
        return False
    return is_portfolio_manager(user) or user.pk in (deliverable.owner_id, deliverable.product.owner_id)


def deliverable_can_reopen(*, product: Product) -> bool:
    """Items are not reopened while a gate review (or a terms change) of the product is open: its reviewers rely
    on them."""
    return not review_pending(product=product, scope=PRODUCT_TERMS)


def _check_deliverable_editable(*, user, deliverable: Deliverable, product: Product, status: str) -> None:
    if not deliverable_can_edit(user=user, deliverable=deliverable):
        raise PermissionDenied(_("只有交付物负责人、产品经理、产品主管或管理员可以更新交付物。"))
    # Both depend on the product's state, not on the request: 409 with a code (the pages show the message).
    if deliverable.stage != product.stage:
        raise GateConflict(LifecycleError.DELIVERABLE_OTHER_STAGE)
    if status == DeliverableStatus.OPEN and not deliverable_can_reopen(product=product):
        raise GateConflict(LifecycleError.DELIVERABLE_UNDER_REVIEW)


@transaction.atomic
def deliverable_update(*, user, deliverable: Deliverable, status: str | None = None, reason: str = "",
                       link: str | None = None, attachment=None) -> Deliverable:
    """Tick, waive (with a reason) or reopen a deliverable, and/or attach a file or link; audited."""
    product = Product.objects.select_for_update().get(pk=deliverable.product_id)
    deliverable = Deliverable.objects.select_for_update().select_related("product").get(pk=deliverable.pk)
    status = status or deliverable.status
    if status not in DeliverableStatus.values:
        raise ValidationError({"status": _("无效的状态。")})
    old = deliverable.status
    status = _waiver_status(deliverable=deliverable, status=status)
    _check_deliverable_editable(user=user, deliverable=deliverable, product=product, status=status)
    if status in (DeliverableStatus.WAIVED, DeliverableStatus.WAIVER_REQUESTED) and not (reason or "").strip():
        raise ValidationError({"reason": _("豁免必须填写理由。")})
    before = field_values(deliverable, ("link", "attachment"))
    if link is not None:
        deliverable.link = link
    if attachment is not None:
        deliverable.attachment = attachment
    if status != old:
        _deliverable_move(deliverable=deliverable, user=user, status=status, reason=reason)
    deliverable.full_clean(exclude=["attachment"])
    deliverable.save()
    if status != old:
        action = {DeliverableStatus.DONE: AuditAction.DELIVERABLE_DONE, DeliverableStatus.WAIVED:
                  AuditAction.DELIVERABLE_WAIVED, DeliverableStatus.OPEN: AuditAction.DELIVERABLE_REOPENED,
                  DeliverableStatus.WAIVER_REQUESTED: AuditAction.DELIVERABLE_WAIVER_REQUESTED}[status]
        audit_record(action=action, actor=user, product=product, obj=deliverable, from_value=old, to_value=status,
                     comment=f"{deliverable.title}" + (f": {reason}" if reason else ""))
        if status == DeliverableStatus.WAIVER_REQUESTED:
            waivers.waiver_requested_notify(deliverable=deliverable, user=user)
    audit_edit(action=AuditAction.DELIVERABLE_EDITED, actor=user, obj=deliverable, before=before, product=product,
               fields=("link", "attachment"), comment=deliverable.title)
    return deliverable


# What may be corrected on an item besides its status (its stage, template and `required` come from the checklist).
DELIVERABLE_DETAIL_FIELDS = ("title", "title_en", "owner", "due_date", "link", "attachment")


@transaction.atomic
def deliverable_edit(*, user, deliverable: Deliverable, data: dict) -> Deliverable:
    """Correct an item's details (title, owner, due date, link, attachment); audited field by field."""
    deliverable = Deliverable.objects.select_for_update().select_related("product").get(pk=deliverable.pk)
    if not deliverable_can_edit(user=user, deliverable=deliverable):
        raise PermissionDenied(_("只有交付物负责人、产品经理、产品主管或管理员可以更新交付物。"))
    unknown = set(data) - set(DELIVERABLE_DETAIL_FIELDS)
    if unknown:
        raise ValidationError({name: _("该字段不能在此修改。") for name in sorted(unknown)})
    before = field_values(deliverable, DELIVERABLE_DETAIL_FIELDS)
    for name, value in data.items():
        setattr(deliverable, name, value)
    deliverable.full_clean(exclude=[] if "attachment" in data else ["attachment"])
    deliverable.save()
    audit_edit(action=AuditAction.DELIVERABLE_EDITED, actor=user, obj=deliverable, before=before,
               product=deliverable.product, fields=DELIVERABLE_DETAIL_FIELDS, comment=deliverable.title)
    return deliverable


def _waiver_status(*, deliverable: Deliverable, status: str) -> str:
    """Waiving a required item asks for the waiver (lifecycle.waivers decides it); asking again, or waiving an
    item whose waiver was approved, changes nothing."""
    waiving = status in (DeliverableStatus.WAIVED, DeliverableStatus.WAIVER_REQUESTED)
    if not waiving:
        return status
    if deliverable.status in (DeliverableStatus.WAIVED, DeliverableStatus.WAIVER_REQUESTED):
        return deliverable.status
    return DeliverableStatus.WAIVER_REQUESTED if deliverable.required else DeliverableStatus.WAIVED


def _deliverable_move(*, deliverable: Deliverable, user, status: str, reason: str) -> None:
    if deliverable.status != DeliverableStatus.OPEN and status != DeliverableStatus.OPEN:
        deliverable.reopen()  # done <-> waived goes through open
    if status == DeliverableStatus.DONE:
        deliverable.complete()
    elif status == DeliverableStatus.WAIVED:
        deliverable.waive()
    elif status == DeliverableStatus.WAIVER_REQUESTED:
        deliverable.request_waiver()
    else:
        deliverable.reopen()
    waiving = status in (DeliverableStatus.WAIVED, DeliverableStatus.WAIVER_REQUESTED)
    deliverable.waiver_reason = reason.strip() if waiving else ""
    deliverable.waiver_requested_by = user if status == DeliverableStatus.WAIVER_REQUESTED else None
    deliverable.waiver_decided_by, deliverable.waiver_decided_at = None, None
    settled = status in (DeliverableStatus.DONE, DeliverableStatus.WAIVED)
    deliverable.completed_by = user if settled else None
    deliverable.completed_at = timezone.now() if settled else None


def missing_deliverables(*, product: Product) -> list[str]:
    """Titles (in the reader's language) of the current stage's required deliverables neither done nor waived."""
    deliverables_ensure(product=product)
    # A waiver still waiting for its approval does not count as waived.
    missing = product.deliverables.filter(stage=product.stage, required=True, status__in=[
        DeliverableStatus.OPEN, DeliverableStatus.WAIVER_REQUESTED])
    rows = missing.order_by("template__position", "id").values_list("title", "title_en")
    return [Deliverable.localized_title(title, title_en) for title, title_en in rows]


# --- Gate policy -----------------------------------------------------------------------------------------------

def gate_policy_departments(*, product: Product, to_stage: str) -> list[tuple[str, int, int]]:
    """(department, due working days, escalation days) for a stage gate, in the order they decide."""
    facts = get_process(STAGE_GATE).facts(subject=product, target=to_stage)
    return [(code, days, escalation) for code, _phase, days, escalation in policy_steps(process=STAGE_GATE,
                                                                                        facts=facts)]


def gate_review_can_submit(*, user, product: Product) -> bool:
    """The product's owner (who must be allowed to own products) or a head of product submits gates."""
    return get_process(STAGE_GATE).can_submit(user=user, subject=product)


@transaction.atomic
def gate_review_submit(*, product: Product, user, to_stage: str | None = None, response: str = "") -> GateReview:
    """Open a gate review for the next stage (or cancellation/retirement where the state machine allows it);
    `response` answers the comments of the last rejected review."""
    return review_submit(process=STAGE_GATE, subject=product, user=user, target=to_stage or "", response=response)


@transaction.atomic
def stage_gate_move(*, review: GateReview, user) -> None:
    """The stage gate's approval: fire the product's transition, audit it, start the new stage's checklist."""
    product = review.product
    getattr(product, TRANSITION_METHODS[review.to_stage])()
    product.save(update_fields=["stage", "updated_at"])
    audit_record(action=AuditAction.STAGE_CHANGED, actor=user, product=product, obj=product,
                 from_value=review.from_stage, to_value=product.stage)
    deliverables_ensure(product=product)
    notify(recipients=[review.submitted_by, product.owner],
           title_code=gettext_noop("%(product)s 已进入「%(stage)s」阶段"),
           params={"product": product.code, "stage": localised(product.get_stage_display)},
           url=product.get_absolute_url())


# --- Overdue steps (daily beat task) ------------------------------------------------------------------------------


@transaction.atomic
def deliverable_template_save(*, user, template: DeliverableTemplate) -> None:
    """Save a deliverable template, audited like a policy rule; an active one adds its item to every product now in
    its stage that lacks it."""
    gate_policy_save(user=user, obj=template)
    deliverables_add_template(template=template)
