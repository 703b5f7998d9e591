"""The approval engine and the stage gate: deliverables, submission of any process's review, department decisions
in policy phases (four-eyes), overdue handling, policy audit.

Pages, the API, the admin, Celery tasks and management commands all call these functions; none of them
re-implements a rule. Processes (lifecycle.engine) declare what differs; lifecycle.processes holds the stage gate.
Lock order everywhere: product row, then review row, then step rows, then the audit chain's advisory lock.
"""
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.choices import DepartmentCode
from core.audit import audit_edit, audit_record, field_values
from core.roles import department_members, four_eyes_allows, in_department, is_portfolio_manager, senior_managers
from notifications.services import localised, notify
from products.choices import STAGE_ORDER, LifecycleStage
from products.models import Product

from . import waivers
from .choices import (
    STAGE_GATE,
    AuditAction,
    Decision,
    DeliverableStatus,
    GateReviewStatus,
    LifecycleError,
    StepStatus,
)
from .conditions import conditions_clean, conditions_create, conditions_guard
from .engine import (
    PRODUCT_TERMS,
    Facts,
    all_preconditions,
    full_snapshot,
    get_process,
    run_finish,
    shares_policy,
)
from .exceptions import GateConflict
from .models import ApprovalStep, Deliverable, DeliverableTemplate, GatePolicy, GateReview
from .selectors import review_pending

S = LifecycleStage
SENIOR = DepartmentCode.SENIOR_MANAGEMENT
# Target stage -> the Product state-machine transition that reaches it.
TRANSITION_METHODS = {
    S.DEVELOPMENT: "start_development", S.MARKETING: "launch", S.OPERATION: "begin_operation",
    S.RETIREMENT: "begin_retirement", S.RETIRED: "retire", S.CANCELLED: "cancel",
}


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

def policy_steps(*, process: str, facts: Facts) -> list[tuple[str, int, int, int]]:
    """(department, phase, due working days, escalation days) of the steps a review needs, phase by phase.

    A department named by several matching rules decides once: in the latest phase any of them names, within
    the shortest deadlines.
    """
    found: dict[str, tuple[int, int, int]] = {}
    shared = shares_policy(process)  # the any-process rows, unless the process opts out
    for rule in GatePolicy.objects.filter(is_active=True).order_by("id"):
        if rule.matches(process=process, facts=facts) and (shared or rule.process):
            phase, days, escalation = found.get(rule.department, (rule.phase, rule.due_working_days,
                                                                  rule.escalation_days))
            found[rule.department] = (max(phase, rule.phase), min(days, rule.due_working_days),
                                      min(escalation, rule.escalation_days))
    order = {code: i for i, code in enumerate(DepartmentCode.values)}
    return sorted(((code, *values) for code, values in found.items()), key=lambda s: (s[1], order[s[0]]))


def gate_policy_departments(*, product: Product, to_stage: str) -> list[tuple[str, int, int]]:
    """(department, due working days, escalation days) for a stage gate, in the order they decide."""
    facts = get_process(STAGE_GATE).facts(subject=product, target=to_stage)
    return [(code, days, escalation) for code, _phase, days, escalation in policy_steps(process=STAGE_GATE,
                                                                                        facts=facts)]


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
    if isinstance(obj, DeliverableTemplate):
        deliverables_add_template(template=obj)


@transaction.atomic
def gate_policy_delete(*, user, objs) -> None:
    """Delete policy rules or templates, all or none, each audited (a row still in use raises ProtectedError)."""
    for obj in objs:
        gate_policy_record_change(user=user, obj=obj, deleted=True)
        obj.delete()


# --- Reviews (the engine) ----------------------------------------------------------------------------------------

def gate_review_can_submit(*, user, product: Product) -> bool:
    """The product's owner (who must be allowed to own products) or a head of product submits gates."""
    return get_process(STAGE_GATE).can_submit(user=user, subject=product)


@transaction.atomic
def gate_review_submit(*, product: Product, user, to_stage: str | None = None, response: str = "") -> GateReview:
    """Open a gate review for the next stage (or cancellation/retirement where the state machine allows it);
    `response` answers the comments of the last rejected review."""
    return review_submit(process=STAGE_GATE, subject=product, user=user, target=to_stage or "", response=response)


@transaction.atomic
def review_submit(*, process: str, subject, user, target: str = "", response: str = "") -> GateReview:
    """Open a review of any process: check who submits, lock the product, refuse a second open review of the same
    lock key, check the process's preconditions, record the snapshot, create the policy's steps and open the first
    phase. `user=None` is the system submitting, allowed only for a process that `system_submits`. `response`
    (the submitter's answer to the last rejection's comments) is kept on the review and in its audit entry."""
    proc = get_process(process)
    product = Product.objects.select_for_update().get(pk=proc.product_of(subject).pk)
    if isinstance(subject, Product):  # a stage gate's subject is the product: use the locked row
        subject = product
    if user is None:
        if not proc.system_submits:
            raise PermissionDenied(proc.not_submitter_message)
    # Who submits is judged on the locked row: an owner change committed a moment ago counts.
    elif not proc.can_submit(user=user, subject=subject):
        raise PermissionDenied(proc.not_submitter_message)
    lock_key = proc.lock_key(subject=subject)
    if not lock_key.startswith(f"{proc.lock_scope}:"):
        raise ValueError(f"The lock key {lock_key!r} of {process} must start with its lock scope.")
    if GateReview.objects.filter(lock_key=lock_key, status=GateReviewStatus.PENDING).exists():
        raise GateConflict(LifecycleError.REVIEW_ALREADY_OPEN)
    if proc.blocked_by_open_conditions:  # e.g. the next stage gate waits for the last approval's conditions
        conditions_guard(product=product)
    target = proc.resolve_target(subject=subject, target=target)
    errors = all_preconditions(proc, subject=subject, target=target)
    if errors:
        raise ValidationError(errors)
    steps = policy_steps(process=process, facts=proc.facts(subject=subject, target=target))
    if not steps:
        raise ValidationError({"process": _("审批规则没有为该评审指定任何审批部门，请联系管理员。")})
    try:
        with transaction.atomic():
            review = GateReview.objects.create(
                process=process, product=product, subject=subject, target=target, lock_key=lock_key,
                **proc.review_fields(subject=subject, target=target),
                snapshot=full_snapshot(proc, subject=subject, target=target), response=response.strip(),
                submitted_by=user, submitted_at=timezone.now())
    except IntegrityError as error:  # the partial unique constraint: another writer got there first
        raise GateConflict(LifecycleError.REVIEW_ALREADY_OPEN) from error
    ApprovalStep.objects.bulk_create(
        ApprovalStep(review=review, department=code, position=phase, due_working_days=days,
                     escalation_days=escalation)
        for code, phase, days, escalation in steps
    )
    from_value, to_value = proc.audit_values(review=review)
    audit_record(action=AuditAction.REVIEW_SUBMITTED, actor=user, product=product, obj=review,
                 from_value=from_value, to_value=to_value,
                 comment="\n".join(filter(None, [proc.describe(review=review), review.response])))
    _open_next_phase(review=review)
    return review


def _open_next_phase(*, review: GateReview) -> bool:
    """Open the waiting steps of the earliest phase still waiting; False when none waits."""
    waiting = review.steps.select_for_update().filter(status=StepStatus.WAITING).order_by("position", "id")
    first = waiting.first()
    if first is None:
        return False
    _open_steps(review=review, steps=waiting.filter(position=first.position))
    return True


def _open_steps(*, review: GateReview, steps) -> None:
    """Open steps: due dates from the policy, audit, and notify the department's reviewers."""
    now = timezone.now()
    for step in steps:
        step.open()
        step.opened_at = now
        step.due_date = add_working_days(timezone.localdate(now), step.due_working_days)
        step.save()
        audit_record(action=AuditAction.STEP_OPENED, product=review.product, obj=step, to_value=step.department)
        body_code, notice = get_process(review.process).step_notice(review=review)
        params = {"product": review.product.code, "process": localised(review.get_process_display),
                  "dept": localised(step.get_department_display), "due": str(step.due_date), **notice}
        notify(recipients=department_reviewers(review=review, department=step.department),
               title_code=gettext_noop("待审批：%(product)s %(process)s（%(dept)s）"), body_code=body_code,
               params=params, url=reverse("lifecycle:my_reviews"), group=f"review:{review.pk}")


def owner_change_guard(*, product: Product, user, changed: set[str]) -> None:
    """The owner of a product with an open review of any process cannot change (an edit guard of
    products.services): every process's four-eyes counts the product's owner, and would otherwise be decided
    against an owner who is no longer the one who prepared the request."""
    if "owner" in changed and review_pending(product=product, scope=None):
        raise GateConflict(LifecycleError.REVIEW_PENDING)


def review_makers(*, review: GateReview) -> set[int]:
    """Who four-eyes keeps from deciding this review (the process decides; at least submitter and owner)."""
    return get_process(review.process).makers(review=review)


def department_reviewers(*, review: GateReview, department: str):
    """Active members of the department who may decide this review: four-eyes excludes the makers, segregation of
    duties those who already decided another of its steps."""
    deciders = review.steps.exclude(department=department).values_list("decided_by_id", flat=True)
    return department_members(department=department, exclude=[*review_makers(review=review), *deciders])


def approval_step_check(*, user, review: GateReview, department: str, on_behalf_of=None) -> None:
    """Four-eyes and department membership; raises PermissionDenied. Used before any decision.

    The decider always belongs to the step's department himself: a delegation never lends a department. Acting
    for a delegator (only when asked explicitly) also needs a running delegation from him, his membership of the
    department, and four-eyes against both people."""
    makers = review_makers(review=review)
    if on_behalf_of is not None:
        from .delegations import delegations_active

        if not delegations_active(delegate=user).filter(delegator=on_behalf_of).exists():
            raise PermissionDenied(LifecycleError.NO_DELEGATION.label)
        if not four_eyes_allows(user=on_behalf_of, makers=makers):
            raise PermissionDenied(LifecycleError.FOUR_EYES.label)
    if not four_eyes_allows(user=user, makers=makers):
        raise PermissionDenied(LifecycleError.FOUR_EYES.label)
    if not in_department(user=user, department=department) or (
            on_behalf_of is not None and not in_department(user=on_behalf_of, department=department)):
        raise PermissionDenied(LifecycleError.WRONG_DEPARTMENT.label)
    # Segregation of duties: one person decides at most one step of a review, whatever departments they are in;
    # under a delegation neither the delegate nor the delegator may have decided another step, for anyone.
    people = [user.pk] if on_behalf_of is None else [user.pk, on_behalf_of.pk]
    if review.steps.filter(Q(decided_by__in=people) | Q(on_behalf_of__in=people)).exclude(
            department=department).exists():
        raise PermissionDenied(LifecycleError.ONE_STEP_PER_PERSON.label)


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
    *, review: GateReview, department: str, user, decision: str, comment: str = "", on_behalf_of=None,
    conditions: list[dict] | None = None, outcome: str = "",
) -> ApprovalStep:
    """Record one department's decision; a rejection closes the review, the last approval runs the process's
    approval (for a stage gate: the product's transition). A decision is the decider's own unless he names the
    delegator he acts for (`on_behalf_of`): then the step records "user for on_behalf_of" and the delegator is
    told."""
    product = Product.objects.select_for_update().get(pk=review.product_id)
    review = GateReview.objects.select_for_update().get(pk=review.pk)
    review.product = product
    approval_step_check(user=user, review=review, department=department, on_behalf_of=on_behalf_of)
    if decision not in Decision.values:
        raise ValidationError({"decision": _("决定必须是 approve 或 reject。")})
    comment = (comment or "").strip()
    if decision == Decision.REJECT and not comment:
        raise ValidationError({"comment": _("驳回必须填写意见。")})
    if conditions and decision != Decision.APPROVE:
        raise ValidationError({"conditions": _("只有同意的决定可以附条件。")})
    outcome = _check_outcome(review=review, decision=decision, outcome=outcome)
    conditions = conditions_clean(conditions) if conditions else []
    step = _locked_step(review=review, department=department)
    step.approve() if decision == Decision.APPROVE else step.reject()
    step.decision, step.comment, step.decided_by, step.decided_at = decision, comment, user, timezone.now()
    step.outcome = outcome
    step.on_behalf_of = on_behalf_of
    step.save()
    delegated = [{"field": "on_behalf_of", "old": None, "new": on_behalf_of.username}] if on_behalf_of else None
    audit_record(action=AuditAction.STEP_APPROVED if decision == Decision.APPROVE else AuditAction.STEP_REJECTED,
                 actor=user, product=product, obj=step, from_value=department, to_value=decision, comment=comment,
                 changes=delegated)
    if conditions:
        step.review = review
        conditions_create(step=step, user=user, items=conditions)
    if on_behalf_of is not None:
        notify(recipients=[on_behalf_of], title_code=gettext_noop("%(user)s 代您审批了 %(product)s（%(decision)s）"),
               body_code="%(comment)s", url=product.get_absolute_url(),
               params={"user": str(user), "product": product.code, "comment": comment,
                       "decision": localised(Decision(decision).label)})
    notify(recipients=[review.submitted_by],
           title_code=gettext_noop("%(product)s %(process)s：%(dept)s %(decision)s"),
           params={"product": product.code, "process": localised(review.get_process_display),
                   "dept": localised(step.get_department_display),
                   "decision": localised(step.get_decision_display)},
           body=comment, url=product.get_absolute_url(), group=f"review:{review.pk}")
    if decision == Decision.REJECT:
        _review_reject(review=review, user=user, comment=comment)
    else:
        _after_approval(review=review, user=user)
    return step


def _check_outcome(*, review: GateReview, decision: str, outcome: str) -> str:
    """An approving decision on a process with its own outcomes names one of them; no other decision does."""
    outcome = (outcome or "").strip()
    process = get_process(review.process)
    if not process.outcomes:
        if outcome:
            raise ValidationError({"outcome": _("该流程的审批没有结论可选。")})
        return ""
    if decision != Decision.APPROVE:
        if outcome:
            raise ValidationError({"outcome": _("只有同意的决定可以选择结论。")})
        return ""
    if process.outcome(outcome) is None:
        raise ValidationError({"outcome": _("请选择审批结论：%(choices)s。") % {
            "choices": "、".join(str(o.label) for o in process.outcomes)}})
    return outcome


def review_outcome(*, review: GateReview) -> str:
    """The approved review's outcome: of the outcomes its steps chose, the highest-ranked one (the most cautious
    department's view prevails); empty for a process without outcomes."""
    process = get_process(review.process)
    chosen = [process.outcome(code) for code in review.steps.exclude(outcome="").values_list("outcome", flat=True)]
    chosen = [o for o in chosen if o is not None]
    return max(chosen, key=lambda o: o.rank).code if chosen else ""


def approval_steps_decide_bulk(*, steps, user, decision: str, comment: str = "") -> tuple[list, list]:
    """Decide several steps with one comment: each through approval_step_decide (its own transaction, rules and
    audit entry). Returns (decided steps, [(step, message)] refused); a refusal never stops the others."""
    decided, refused = [], []
    for step in steps:
        try:
            decided.append(approval_step_decide(review=step.review, department=step.department, user=user,
                                                decision=decision, comment=comment))
        except (ValidationError, PermissionDenied, GateConflict) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            refused.append((step, " ".join(messages)))
    return decided, refused


def _review_reject(*, review: GateReview, user, comment: str) -> None:
    for other in review.steps.select_for_update().filter(status__in=[StepStatus.WAITING, StepStatus.PENDING]):
        other.withdraw()
        other.save()
    review.reject()
    review.decided_at = timezone.now()
    review.save()
    process = get_process(review.process)
    from_value, to_value = process.audit_values(review=review)
    audit_record(action=AuditAction.REVIEW_REJECTED, actor=user, product=review.product, obj=review,
                 from_value=from_value, to_value=to_value, comment=comment)
    run_finish(process, review=review, user=user)


@transaction.atomic
def review_withdraw(*, review: GateReview, user, reason: str) -> GateReview:
    """Close an open review without a decision because what it asked for no longer stands (its process says
    when: e.g. a risk re-assessed while its acceptance was pending). Open and waiting steps are withdrawn, the
    reason is audited (actor None = the system) and the reviewers' pending work disappears from their queue."""
    review = GateReview.objects.select_for_update().select_related("product").get(pk=review.pk)
    if review.status != GateReviewStatus.PENDING:
        raise GateConflict(LifecycleError.REVIEW_CLOSED)
    for step in review.steps.select_for_update().filter(status__in=[StepStatus.WAITING, StepStatus.PENDING]):
        step.withdraw()
        step.save()
    review.withdraw()
    review.decided_at = timezone.now()
    review.save()
    audit_record(action=AuditAction.REVIEW_WITHDRAWN, actor=user if user is not None and user.is_authenticated
                 else None, product=review.product, obj=review, from_value=review.process,
                 to_value=GateReviewStatus.WITHDRAWN, comment=reason)
    return review


def _after_approval(*, review: GateReview, user) -> None:
    """When every open step has approved, open the next phase; when no phase is left, the review is approved."""
    if review.steps.filter(status=StepStatus.PENDING).exists():
        return
    if not _open_next_phase(review=review):
        _review_approve(review=review, user=user)


def _review_approve(*, review: GateReview, user) -> None:
    """Every department agreed: close the review and run the process's approval in this transaction."""
    process = get_process(review.process)
    review.approve()
    review.decided_at = timezone.now()
    review.outcome = review_outcome(review=review)
    review.save()
    from_value, to_value = process.audit_values(review=review)
    audit_record(action=AuditAction.REVIEW_APPROVED, actor=user, product=review.product, obj=review,
                 from_value=from_value, to_value=to_value,
                 comment=review.get_outcome_display() if review.outcome else "")
    run_finish(process, review=review, user=user)


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
def approval_steps_mark_overdue(*, today: date | None = None) -> dict[str, int]:
    """Flag steps past their due date and remind their reviewers; escalate to senior management after the
    policy's escalation days. Safe to re-run: each step is flagged and escalated once."""
    today = today or timezone.localdate()
    open_steps = ApprovalStep.objects.select_for_update(of=("self",)).select_related("review__product").filter(
        status=StepStatus.PENDING, review__status=GateReviewStatus.PENDING, due_date__lt=today)
    marked = escalated = 0
    executives = list(senior_managers())
    for step in open_steps:
        review = step.review
        if not step.overdue:
            step.overdue, step.reminded_at = True, timezone.now()
            step.save(update_fields=["overdue", "reminded_at"])
            marked += 1
            audit_record(action=AuditAction.STEP_OVERDUE, product=review.product, obj=step, to_value=step.department)
            notify(recipients=department_reviewers(review=review, department=step.department),
                   title_code=gettext_noop("审批逾期提醒：%(product)s（%(dept)s）"),
                   body_code=gettext_noop("截止日期 %(due)s 已过，请尽快审批。"),
                   params={"product": review.product.code, "dept": localised(step.get_department_display),
                           "due": str(step.due_date)},
                   url=reverse("lifecycle:my_reviews"))
        if step.escalated_at is None and step.due_date + timedelta(days=step.escalation_days) <= today:
            step.escalated_at = timezone.now()
            step.save(update_fields=["escalated_at"])
            escalated += 1
            audit_record(action=AuditAction.STEP_ESCALATED, product=review.product, obj=step,
                         to_value=step.department)
            notify(recipients=executives,
                   title_code=gettext_noop("逾期上报：%(product)s 的%(dept)s审批已逾期"),
                   body_code=gettext_noop("截止日期 %(due)s。"),
                   params={"product": review.product.code, "dept": localised(step.get_department_display),
                           "due": str(step.due_date)},
                   url=review.product.get_absolute_url())
    return {"marked": marked, "escalated": escalated}


@transaction.atomic
def approval_steps_escalate_unstaffed(*, departments, comment: str = "") -> int:
    """Open steps of `departments` that no active member is left to decide (e.g. the last reviewer left the
    directory group) go to senior management now: escalated once, audited, executives notified."""
    steps = (ApprovalStep.objects.select_for_update(of=("self",)).select_related("review__product")
             .filter(status=StepStatus.PENDING, review__status=GateReviewStatus.PENDING, escalated_at__isnull=True,
                     department__in=list(departments)))
    executives = list(senior_managers())
    escalated = 0
    for step in steps:
        if department_members(department=step.department).exists():
            continue
        step.escalated_at = timezone.now()
        step.save(update_fields=["escalated_at"])
        escalated += 1
        audit_record(action=AuditAction.STEP_ESCALATED, product=step.review.product, obj=step,
                     to_value=step.department, comment=comment)
        notify(recipients=executives,
               title_code=gettext_noop("上报：%(product)s 的%(dept)s审批已无人可审"),
               body_code=gettext_noop("该部门已无在岗审批人，请高层处理或指定审批人。"),
               params={"product": step.review.product.code, "dept": localised(step.get_department_display)},
               url=step.review.product.get_absolute_url())
    return escalated
