"""The approval engine's services: submission of any process's review, department decisions in policy phases
(four-eyes, delegation, segregation of duties, outcomes), overdue handling and escalation, policy audit.

Pages, the API, the admin, Celery tasks and management commands all call these functions; none of them
re-implements a rule. Processes (approvals.engine) declare what differs; lifecycle.processes holds the stage gate.
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
from core.audit import audit_record
from core.roles import department_members, four_eyes_allows, in_department, senior_managers
from notifications.services import localised, notify
from products.models import Product

from .choices import ApprovalAuditAction as AuditAction
from .choices import ApprovalError, Decision, GateReviewStatus, StepStatus
from .conditions import conditions_clean, conditions_create, conditions_guard
from .engine import Facts, all_preconditions, full_snapshot, get_process, run_finish, shares_policy
from .exceptions import GateConflict
from .models import ApprovalStep, GatePolicy, GateReview
from .selectors import review_pending


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days (Monday to Friday) after `start`."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


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


@transaction.atomic
def gate_policy_record_change(*, user, obj, deleted: bool = False, created: bool = False) -> None:
    """Audit a change to a gate policy rule or a deliverable template, in the caller's transaction."""
    change = _("删除") if deleted else (_("新增") if created else _("修改"))
    audit_record(action=AuditAction.POLICY_CHANGED, actor=user, obj=obj, from_value=change, to_value=str(obj)[:200],
                 comment=f"{obj._meta.verbose_name}: {obj}")


@transaction.atomic
def gate_policy_save(*, user, obj) -> None:
    """Save a policy rule (or another audited policy object, e.g. a deliverable template) and audit it in one
    transaction."""
    created = obj._state.adding
    obj.save()
    gate_policy_record_change(user=user, obj=obj, created=created)


@transaction.atomic
def gate_policy_delete(*, user, objs) -> None:
    """Delete policy rules or templates, all or none, each audited (a row still in use raises ProtectedError)."""
    for obj in objs:
        gate_policy_record_change(user=user, obj=obj, deleted=True)
        obj.delete()


# --- Reviews (the engine) ----------------------------------------------------------------------------------------

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
        raise GateConflict(ApprovalError.REVIEW_ALREADY_OPEN)
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
        raise GateConflict(ApprovalError.REVIEW_ALREADY_OPEN) from error
    ApprovalStep.objects.bulk_create(
        ApprovalStep(review=review, department=code, position=phase, due_working_days=days,
                     escalation_days=escalation)
        for code, phase, days, escalation in steps
    )
    from_value, to_value = proc.audit_values(review=review)
    audit_record(action=AuditAction.REVIEW_SUBMITTED, actor=user, product=product, obj=review,
                 from_value=from_value, to_value=to_value,
                 comment="\n".join(filter(None, [proc.describe(review=review), review.response])))
    _record_makers(review=review)
    _open_next_phase(review=review)
    return review


def _record_makers(*, review: GateReview) -> set[int]:
    """Store the review's maker set for the queue (GateReview.makers) and return it."""
    makers = review_makers(review=review)
    review.makers.set(makers)
    return makers


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
        raise GateConflict(ApprovalError.REVIEW_PENDING)


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
            raise PermissionDenied(ApprovalError.NO_DELEGATION.label)
        if not four_eyes_allows(user=on_behalf_of, makers=makers):
            raise PermissionDenied(ApprovalError.FOUR_EYES.label)
    if not four_eyes_allows(user=user, makers=makers):
        raise PermissionDenied(ApprovalError.FOUR_EYES.label)
    if not in_department(user=user, department=department) or (
            on_behalf_of is not None and not in_department(user=on_behalf_of, department=department)):
        raise PermissionDenied(ApprovalError.WRONG_DEPARTMENT.label)
    # Segregation of duties: one person decides at most one step of a review, whatever departments they are in;
    # under a delegation neither the delegate nor the delegator may have decided another step, for anyone.
    people = [user.pk] if on_behalf_of is None else [user.pk, on_behalf_of.pk]
    if review.steps.filter(Q(decided_by__in=people) | Q(on_behalf_of__in=people)).exclude(
            department=department).exists():
        raise PermissionDenied(ApprovalError.ONE_STEP_PER_PERSON.label)


def _locked_step(*, review: GateReview, department: str) -> ApprovalStep:
    # Lock every step of the review now, before the audit advisory lock, so the lock order stays
    # product -> review -> steps -> audit in every writer (the overdue task locks steps -> audit).
    steps = {s.department: s for s in review.steps.select_for_update().order_by("id")}
    step = steps.get(department)
    if step is None:
        raise ValidationError({"department": _("该评审没有此部门的审批步骤。")})
    if review.status != GateReviewStatus.PENDING:
        raise GateConflict(ApprovalError.REVIEW_CLOSED)
    if step.status == StepStatus.WAITING:
        raise GateConflict(ApprovalError.STEP_NOT_OPEN)
    if step.status != StepStatus.PENDING:
        raise GateConflict(ApprovalError.STEP_ALREADY_DECIDED)
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
    _record_makers(review=review)  # the queue follows the makers as they stand now
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
        raise GateConflict(ApprovalError.REVIEW_CLOSED)
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
