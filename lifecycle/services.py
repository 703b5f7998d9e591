"""Stage-gate rules: deliverables, submission, department decisions (four-eyes), overdue handling, policy audit.

Pages, the API, the admin, Celery tasks and management commands all call these functions; none of them
re-implements a rule. Lock order everywhere: product row, then review row, then step rows.
"""
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import DepartmentCode
from core.audit import audit_record
from notifications.services import notify
from products.choices import STAGE_ORDER, LifecycleStage
from products.models import Product

from .choices import AuditAction, Decision, DeliverableStatus, GateReviewStatus, LifecycleError, StepStatus
from .exceptions import GateConflict
from .models import ApprovalStep, Deliverable, DeliverableTemplate, GatePolicy, GateReview

S = LifecycleStage
SENIOR = DepartmentCode.SENIOR_MANAGEMENT
# Target stage -> the Product state-machine transition that reaches it.
TRANSITION_METHODS = {
    S.DEVELOPMENT: "start_development", S.MARKETING: "launch", S.OPERATION: "begin_operation",
    S.RETIREMENT: "begin_retirement", S.RETIRED: "retire", S.CANCELLED: "cancel",
}
DEFAULT_DUE_WORKING_DAYS = 3
DEFAULT_ESCALATION_DAYS = 2


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days (Monday to Friday) after `start`."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


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


def deliverable_can_edit(*, user, deliverable: Deliverable) -> bool:
    """The item's owner, the product's owner, heads of product and admins tick items."""
    if not user.is_authenticated:
        return False
    return (user.is_admin or user.is_head_of_product
            or user.pk in (deliverable.owner_id, deliverable.product.owner_id))


def deliverable_can_reopen(*, product: Product) -> bool:
    """Items are not reopened while a gate review of the product is open: its reviewers rely on them."""
    return not product.gate_reviews.filter(status=GateReviewStatus.PENDING).exists()


def _check_deliverable_editable(*, user, deliverable: Deliverable, product: Product, status: str) -> None:
    if not deliverable_can_edit(user=user, deliverable=deliverable):
        raise PermissionDenied(_("只有交付物负责人、产品经理、产品主管或管理员可以更新交付物。"))
    if deliverable.stage != product.stage:
        raise ValidationError({"status": _("只能更新当前阶段的交付物。")})
    if status == DeliverableStatus.OPEN and not deliverable_can_reopen(product=product):
        raise ValidationError({"status": _("阶段评审进行中，不能重新打开交付物。")})


@transaction.atomic
def deliverable_update(*, user, deliverable: Deliverable, status: str | None = None, reason: str = "",
                       link: str | None = None, attachment=None) -> Deliverable:
    """Tick, waive (with a reason) or reopen a deliverable, and/or attach a file or link; audited."""
    product = Product.objects.select_for_update().get(pk=deliverable.product_id)
    deliverable = Deliverable.objects.select_for_update().select_related("product").get(pk=deliverable.pk)
    status = status or deliverable.status
    if status not in DeliverableStatus.values:
        raise ValidationError({"status": _("无效的状态。")})
    _check_deliverable_editable(user=user, deliverable=deliverable, product=product, status=status)
    if status == DeliverableStatus.WAIVED and not (reason or "").strip():
        raise ValidationError({"reason": _("豁免必须填写理由。")})
    old = deliverable.status
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
                  AuditAction.DELIVERABLE_WAIVED, DeliverableStatus.OPEN: AuditAction.DELIVERABLE_REOPENED}[status]
        audit_record(action=action, actor=user, product=product, obj=deliverable, from_value=old, to_value=status,
                     comment=f"{deliverable.title}" + (f": {reason}" if reason else ""))
    return deliverable


def _deliverable_move(*, deliverable: Deliverable, user, status: str, reason: str) -> None:
    if deliverable.status != DeliverableStatus.OPEN and status != DeliverableStatus.OPEN:
        deliverable.reopen()  # done <-> waived goes through open
    if status == DeliverableStatus.DONE:
        deliverable.complete()
    elif status == DeliverableStatus.WAIVED:
        deliverable.waive()
    else:
        deliverable.reopen()
    deliverable.waiver_reason = reason.strip() if status == DeliverableStatus.WAIVED else ""
    deliverable.completed_by = user if status != DeliverableStatus.OPEN else None
    deliverable.completed_at = timezone.now() if status != DeliverableStatus.OPEN else None


def missing_deliverables(*, product: Product) -> list[str]:
    """Titles (in the reader's language) of the current stage's required deliverables neither done nor waived."""
    deliverables_ensure(product=product)
    missing = product.deliverables.filter(stage=product.stage, required=True, status=DeliverableStatus.OPEN)
    rows = missing.order_by("template__position", "id").values_list("title", "title_en")
    return [Deliverable.localized_title(title, title_en) for title, title_en in rows]


# --- Gate policy -----------------------------------------------------------------------------------------------

def gate_policy_departments(*, product: Product, to_stage: str) -> list[tuple[str, int, int]]:
    """(department, due working days, escalation days) for a gate; senior management is always last."""
    found: dict[str, tuple[int, int]] = {}
    for rule in GatePolicy.objects.filter(is_active=True).order_by("id"):
        if rule.matches(to_stage=to_stage, category=product.category, risk_rating=product.risk_rating):
            days, escalation = found.get(rule.department, (rule.due_working_days, rule.escalation_days))
            found[rule.department] = (min(days, rule.due_working_days), min(escalation, rule.escalation_days))
    found.setdefault(SENIOR, (DEFAULT_DUE_WORKING_DAYS, DEFAULT_ESCALATION_DAYS))
    order = [code for code in DepartmentCode.values if code != SENIOR] + [SENIOR]
    return [(code, *found[code]) for code in order if code in found]


@transaction.atomic
def gate_policy_record_change(*, user, obj, deleted: bool = False, created: bool = False) -> None:
    """Audit a change to a gate policy rule or a deliverable template, in the caller's transaction."""
    change = _("删除") if deleted else (_("新增") if created else _("修改"))
    audit_record(action=AuditAction.POLICY_CHANGED, actor=user, obj=obj, from_value=change, to_value=str(obj)[:200],
                 comment=f"{obj._meta.verbose_name}: {obj}")


@transaction.atomic
def gate_policy_save(*, user, obj: GatePolicy | DeliverableTemplate) -> None:
    """Save a policy rule or deliverable template and audit it in one transaction."""
    created = obj._state.adding
    obj.save()
    gate_policy_record_change(user=user, obj=obj, created=created)


@transaction.atomic
def gate_policy_delete(*, user, objs) -> None:
    """Delete policy rules or templates, all or none, each audited (a row still in use raises ProtectedError)."""
    for obj in objs:
        gate_policy_record_change(user=user, obj=obj, deleted=True)
        obj.delete()


# --- Gate reviews ----------------------------------------------------------------------------------------------

def gate_review_can_submit(*, user, product: Product) -> bool:
    """The product's owner (who must be allowed to own products) or a head of product submits gates."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_head_of_product or (product.owner_id == user.pk and user.can_own_products)


def _resolve_target(*, product: Product, to_stage: str | None) -> str:
    target = to_stage or next_stage(product=product)
    if target is None or target not in stage_targets(product=product):
        raise ValidationError({"to_stage": LifecycleError.STAGE_NOT_ALLOWED.label})
    return target


@transaction.atomic
def gate_review_submit(*, product: Product, user, to_stage: str | None = None) -> GateReview:
    """Open a gate review for the next stage (or cancellation/retirement where the state machine allows it)."""
    if not gate_review_can_submit(user=user, product=product):
        raise PermissionDenied(LifecycleError.NOT_SUBMITTER.label)
    product = Product.objects.select_for_update().get(pk=product.pk)
    if product.gate_reviews.filter(status=GateReviewStatus.PENDING).exists():
        raise GateConflict(LifecycleError.REVIEW_ALREADY_OPEN)
    target = _resolve_target(product=product, to_stage=to_stage)
    # Abandoning a product does not require finishing its stage's work first.
    missing = [] if target == S.CANCELLED else missing_deliverables(product=product)
    if missing:
        raise ValidationError({"deliverables": [f"{LifecycleError.MISSING_DELIVERABLES.label}{t}" for t in missing]})
    try:
        with transaction.atomic():
            review = GateReview.objects.create(product=product, from_stage=product.stage, to_stage=target,
                                               submitted_by=user, submitted_at=timezone.now())
    except IntegrityError as error:  # the partial unique constraint: another writer got there first
        raise GateConflict(LifecycleError.REVIEW_ALREADY_OPEN) from error
    ApprovalStep.objects.bulk_create(
        ApprovalStep(review=review, department=code, position=int(code == SENIOR), due_working_days=days,
                     escalation_days=escalation)
        for code, days, escalation in gate_policy_departments(product=product, to_stage=target)
    )
    audit_record(action=AuditAction.REVIEW_SUBMITTED, actor=user, product=product, obj=review,
                 from_value=product.stage, to_value=target)
    # Senior management decides last; when the policy names no other department, its step opens at once.
    others = review.steps.exclude(department=SENIOR)
    _open_steps(review=review, steps=others if others.exists() else review.steps.all())
    return review


def _open_steps(*, review: GateReview, steps) -> None:
    """Open steps: due dates from the policy, audit, and notify the department's reviewers."""
    now = timezone.now()
    for step in steps:
        step.open()
        step.opened_at = now
        step.due_date = add_working_days(timezone.localdate(now), step.due_working_days)
        step.save()
        audit_record(action=AuditAction.STEP_OPENED, product=review.product, obj=step, to_value=step.department)
        notify(recipients=department_reviewers(review=review, department=step.department),
               title=_("待审批：%(product)s 阶段评审（%(dept)s）") % {
                   "product": review.product.code, "dept": step.get_department_display()},
               body=_("%(product)s 申请由「%(from)s」进入「%(to)s」，请在 %(due)s 前审批。") % {
                   "product": review.product, "from": review.get_from_stage_display(),
                   "to": review.get_to_stage_display(), "due": step.due_date},
               url=reverse("lifecycle:my_reviews"))


def department_reviewers(*, review: GateReview, department: str):
    """Active members of the department who may decide this review (four-eyes excludes submitter and owner)."""
    return get_user_model().objects.filter(departments__code=department, is_active=True).exclude(
        pk__in=[review.submitted_by_id, review.product.owner_id]).distinct()


def approval_step_check(*, user, review: GateReview, department: str) -> None:
    """Four-eyes and department membership; raises PermissionDenied. Used before any decision."""
    if user.pk in (review.submitted_by_id, review.product.owner_id):
        raise PermissionDenied(LifecycleError.FOUR_EYES.label)
    if department not in user.department_codes:
        raise PermissionDenied(LifecycleError.WRONG_DEPARTMENT.label)


def _locked_step(*, review: GateReview, department: str) -> ApprovalStep:
    # Lock every step of the review now, before the audit advisory lock, so the lock order stays
    # product -> review -> steps -> audit in every writer (the overdue task locks steps -> audit).
    steps = {s.department: s for s in review.steps.select_for_update().order_by("id")}
    step = steps.get(department)
    if step is None:
        raise ValidationError({"department": _("该评审没有此部门的审批步骤。")})
    if review.status != GateReviewStatus.PENDING:
        raise GateConflict(LifecycleError.REVIEW_CLOSED)
    if step.status == StepStatus.WAITING:
        raise GateConflict(LifecycleError.STEP_NOT_OPEN)
    if step.status != StepStatus.PENDING:
        raise GateConflict(LifecycleError.STEP_ALREADY_DECIDED)
    return step


@transaction.atomic
def approval_step_decide(
    *, review: GateReview, department: str, user, decision: str, comment: str = ""
) -> ApprovalStep:
    """Record one department's decision; a rejection closes the review, the last approval fires the transition."""
    product = Product.objects.select_for_update().get(pk=review.product_id)
    review = GateReview.objects.select_for_update().get(pk=review.pk)
    review.product = product
    approval_step_check(user=user, review=review, department=department)
    if decision not in Decision.values:
        raise ValidationError({"decision": _("决定必须是 approve 或 reject。")})
    comment = (comment or "").strip()
    if decision == Decision.REJECT and not comment:
        raise ValidationError({"comment": _("驳回必须填写意见。")})
    step = _locked_step(review=review, department=department)
    step.approve() if decision == Decision.APPROVE else step.reject()
    step.decision, step.comment, step.decided_by, step.decided_at = decision, comment, user, timezone.now()
    step.save()
    audit_record(action=AuditAction.STEP_APPROVED if decision == Decision.APPROVE else AuditAction.STEP_REJECTED,
                 actor=user, product=product, obj=step, from_value=department, to_value=decision, comment=comment)
    notify(recipients=[review.submitted_by],
           title=_("%(product)s 阶段评审：%(dept)s %(decision)s") % {
               "product": product.code, "dept": step.get_department_display(), "decision": step.get_decision_display()},
           body=comment, url=product.get_absolute_url())
    if decision == Decision.REJECT:
        _review_reject(review=review, user=user, comment=comment)
    else:
        _after_approval(review=review, user=user)
    return step


def _review_reject(*, review: GateReview, user, comment: str) -> None:
    for other in review.steps.select_for_update().filter(status__in=[StepStatus.WAITING, StepStatus.PENDING]):
        other.withdraw()
        other.save()
    review.reject()
    review.decided_at = timezone.now()
    review.save()
    audit_record(action=AuditAction.REVIEW_REJECTED, actor=user, product=review.product, obj=review,
                 from_value=review.from_stage, to_value=review.to_stage, comment=comment)


def _after_approval(*, review: GateReview, user) -> None:
    statuses = dict(review.steps.values_list("department", "status"))
    others_done = all(s == StepStatus.APPROVED for d, s in statuses.items() if d != SENIOR)
    if others_done and statuses.get(SENIOR) == StepStatus.WAITING:
        _open_steps(review=review, steps=review.steps.select_for_update().filter(department=SENIOR))
    elif all(s == StepStatus.APPROVED for s in statuses.values()):
        _review_approve(review=review, user=user)


def _review_approve(*, review: GateReview, user) -> None:
    """Every department agreed: close the review and fire the product's transition in this transaction."""
    product = review.product
    review.approve()
    review.decided_at = timezone.now()
    review.save()
    audit_record(action=AuditAction.REVIEW_APPROVED, actor=user, product=product, obj=review,
                 from_value=review.from_stage, to_value=review.to_stage)
    getattr(product, TRANSITION_METHODS[review.to_stage])()
    product.save(update_fields=["stage", "updated_at"])
    audit_record(action=AuditAction.STAGE_CHANGED, actor=user, product=product, obj=product,
                 from_value=review.from_stage, to_value=product.stage)
    deliverables_ensure(product=product)
    notify(recipients=[review.submitted_by, product.owner],
           title=_("%(product)s 已进入「%(stage)s」阶段") % {"product": product.code,
                                                        "stage": product.get_stage_display()},
           url=product.get_absolute_url())


# --- Overdue steps (daily beat task) ------------------------------------------------------------------------------

@transaction.atomic
def approval_steps_mark_overdue(*, today: date | None = None) -> dict[str, int]:
    """Flag steps past their due date and remind their reviewers; escalate to senior management after the
    policy's escalation days. Safe to re-run: each step is flagged and escalated once."""
    today = today or timezone.localdate()
    open_steps = ApprovalStep.objects.select_for_update(of=("self",)).select_related("review__product").filter(
        status=StepStatus.PENDING, review__status=GateReviewStatus.PENDING, due_date__lt=today)
    marked = escalated = 0
    executives = list(get_user_model().objects.filter(departments__code=SENIOR, is_active=True).distinct())
    for step in open_steps:
        review = step.review
        if not step.overdue:
            step.overdue, step.reminded_at = True, timezone.now()
            step.save(update_fields=["overdue", "reminded_at"])
            marked += 1
            audit_record(action=AuditAction.STEP_OVERDUE, product=review.product, obj=step, to_value=step.department)
            notify(recipients=department_reviewers(review=review, department=step.department),
                   title=_("审批逾期提醒：%(product)s（%(dept)s）") % {
                       "product": review.product.code, "dept": step.get_department_display()},
                   body=_("截止日期 %(due)s 已过，请尽快审批。") % {"due": step.due_date},
                   url=reverse("lifecycle:my_reviews"))
        if step.escalated_at is None and step.due_date + timedelta(days=step.escalation_days) <= today:
            step.escalated_at = timezone.now()
            step.save(update_fields=["escalated_at"])
            escalated += 1
            audit_record(action=AuditAction.STEP_ESCALATED, product=review.product, obj=step,
                         to_value=step.department)
            notify(recipients=executives,
                   title=_("逾期上报：%(product)s 的%(dept)s审批已逾期") % {
                       "product": review.product.code, "dept": step.get_department_display()},
                   body=_("截止日期 %(due)s。") % {"due": step.due_date}, url=review.product.get_absolute_url())
    return {"marked": marked, "escalated": escalated}
