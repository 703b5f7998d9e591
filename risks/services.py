"""Risk register rules: identification, assessment, controls, acceptance, closure, monitoring and reminders.

Pages, the API, the admin, Celery tasks and the KPI alert hook all call these functions; none re-implements a rule.
Lock order: risk row(s), then the audit chain's advisory lock (the alert hook runs inside the KPI computation's
transaction and takes the same order).
"""
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.choices import DepartmentCode
from core.audit import audit_record, diff, field_values
from core.errors import DomainConflict
from core.roles import (
    department_members,
    four_eyes_allows,
    in_department,
    is_senior_management,
    product_can_edit,
)
from notifications.services import notify
from products.models import Product

from .choices import (
    ACTIVE_STATUSES,
    LEVELS_NEEDING_ACCEPTANCE,
    RESPONSES_NEEDING_CONTROLS,
    RISK_ACCEPTANCE,
    AssessmentKind,
    RiskAuditAction,
    RiskError,
    RiskStatus,
    default_level,
)
from .models import Risk, RiskAssessment, RiskCategoryRequirement, RiskControl, RiskLevelMatrix

REVIEW_INTERVAL_DAYS = 90
# Audit actions on a risk whose authors shaped what its acceptance approves.
SHAPING_ACTIONS = (RiskAuditAction.CREATED, RiskAuditAction.UPDATED, RiskAuditAction.REVIEWED)
SCORE_FIELDS = ["likelihood", "impact", "residual_likelihood", "residual_impact"]
EDITABLE_FIELDS = ["title", "description", "category", "source", "cause", "method", "method_note", *SCORE_FIELDS,
                   "response", "transfer_instrument", "owner", "review_due", "metric"]
AUDITED_FIELDS = [*EDITABLE_FIELDS, "inherent_score", "inherent_level", "residual_score", "residual_level",
                  "status"]


# --- Levels ----------------------------------------------------------------------------------------------------

def level_matrix() -> dict[tuple[int, int], str]:
    """The admin-edited matrix as {(likelihood, impact): level}; missing cells fall back to the default bands."""
    cells = {(li, im): default_level(li * im) for li in range(1, 6) for im in range(1, 6)}
    cells.update({(li, im): level for li, im, level in RiskLevelMatrix.objects.values_list("likelihood", "impact",
                                                                                           "level")})
    return cells


def _apply_scores(risk: Risk, matrix: dict) -> None:
    risk.inherent_score = risk.likelihood * risk.impact
    risk.inherent_level = matrix[(risk.likelihood, risk.impact)]
    risk.residual_score = risk.residual_likelihood * risk.residual_impact
    risk.residual_level = matrix[(risk.residual_likelihood, risk.residual_impact)]


@transaction.atomic
def _risk_levels_recompute() -> int:
    """After a matrix edit: every risk's stored levels from the matrix, in one UPDATE per basis."""
    cells = list(RiskLevelMatrix.objects.values_list("likelihood", "impact", "level"))
    if not cells:
        return 0
    inherent = Case(*[When(likelihood=li, impact=im, then=Value(v)) for li, im, v in cells],
                    default=F("inherent_level"))
    residual = Case(*[When(residual_likelihood=li, residual_impact=im, then=Value(v)) for li, im, v in cells],
                    default=F("residual_level"))
    return Risk.objects.update(inherent_level=inherent, residual_level=residual)


# --- Who may do what ---------------------------------------------------------------------------------------------

def risk_can_edit(*, user, product, risk: Risk | None = None) -> bool:
    """The product's editors (its manager, heads of product, admins), the risk department and the risk's owner."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if product_can_edit(user=user, product=product) or in_department(user=user, department=DepartmentCode.RISK):
        return True
    return risk is not None and risk.owner_id == user.pk


def risk_makers(*, risk: Risk) -> set[int]:
    """Who shaped the risk up for acceptance, so never accepts it: its registrant, the product's owner, and, since
    its last acceptance, every owner of the risk (both sides of each audited owner change) and everyone who edited
    or re-assessed it (read from the risk's trail)."""
    from core.audit import object_type_of
    from core.models import AuditEntry

    makers = {risk.owner_id, risk.product.owner_id, risk.created_by_id}
    trail = AuditEntry.objects.filter(object_type=object_type_of(risk), object_id=str(risk.pk))
    last_accepted = trail.filter(action=RiskAuditAction.ACCEPTED).order_by("-id").values_list("id", flat=True).first()
    if last_accepted is not None:
        trail = trail.filter(id__gt=last_accepted)
    # A risk's own trail is short: its entries are read whole (a JSON containment filter would not run on SQLite).
    for actor, action, changes in trail.values_list("actor_id", "action", "changes"):
        if action in SHAPING_ACTIONS:
            makers.add(actor)
        for change in changes or ():
            if change.get("field") == "owner":
                makers.update(v for v in (change.get("old"), change.get("new")) if isinstance(v, int))
    makers.discard(None)
    return makers


def acceptance_review(*, risk: Risk):
    """The risk's open acceptance review in the approval engine, if any."""
    from lifecycle.choices import GateReviewStatus
    from lifecycle.models import GateReview

    return GateReview.objects.filter(process=RISK_ACCEPTANCE, subject_id=risk.pk,
                                     status=GateReviewStatus.PENDING).first()


def risk_can_accept(*, user, risk: Risk) -> bool:
    """Senior management who may decide the risk's open acceptance review: never one of its makers (four-eyes,
    the process's maker set), and only in the senior-management step the engine opened."""
    if not is_senior_management(user):
        return False
    from lifecycle.services import review_makers

    review = acceptance_review(risk=risk) if risk.status == RiskStatus.PENDING_ACCEPTANCE else None
    makers = review_makers(review=review) if review is not None else risk_makers(risk=risk)
    return four_eyes_allows(user=user, makers=makers)


def _check_editor(*, user, product, risk: Risk | None = None) -> None:
    if not risk_can_edit(user=user, product=product, risk=risk):
        raise PermissionDenied(RiskError.NOT_EDITOR.label)


# --- Validation ---------------------------------------------------------------------------------------------------

def _control_errors(risk: Risk, controls: list[dict]) -> list[str]:
    messages = []
    if risk.response in RESPONSES_NEEDING_CONTROLS and not controls:
        messages.append(_("「%(response)s」策略至少需要一项控制措施。") % {"response": risk.get_response_display()})
    for index, data in enumerate(controls, start=1):
        control = RiskControl(risk=risk, description=(data.get("description") or "").strip(), type=data.get("type"),
                              owner=data.get("owner") or risk.owner)
        try:
            control.full_clean(exclude=["risk"])
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                label = RiskControl._meta.get_field(field).verbose_name if field != "__all__" else ""
                messages += [_("第 %(n)d 项控制措施：%(field)s %(message)s") % {
                    "n": index, "field": label, "message": m} for m in errors]
    return messages


def _validate(risk: Risk, controls: list[dict] | None) -> None:
    """Every rule on the risk and its controls at once, each message under its field; raises ValidationError."""
    errors: dict[str, list[str]] = {}
    try:
        risk.full_clean(exclude=["product", "inherent_score", "inherent_level", "residual_score", "residual_level",
                                 "created_by"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if controls is not None and not errors.keys() & {"response", "owner"}:
        control_errors = _control_errors(risk, controls)
        if control_errors:
            errors["controls"] = control_errors
    if errors:
        raise ValidationError(errors)


def _controls_snapshot(risk: Risk) -> list[dict]:
    return [{"description": c.description, "type": c.type, "owner": c.owner_id}
            for c in risk.controls.order_by("position", "id")]


def _write_controls(risk: Risk, controls: list[dict]) -> None:
    risk.controls.all().delete()
    RiskControl.objects.bulk_create(
        RiskControl(risk=risk, description=data["description"].strip(), type=data["type"],
                    owner=data.get("owner") or risk.owner, position=position)
        for position, data in enumerate(controls))


# --- Status after an assessment --------------------------------------------------------------------------------

def _settle_status(*, risk: Risk, previous_residual: tuple | None) -> None:
    """High or critical residual risk waits for senior management; an acceptance stands only for the residual
    scores it was given for. Low and medium residual risk is managed by its owner. (The acceptance review itself
    follows the status once the risk is saved: `_acceptance_follow`.)"""
    if risk.residual_level in LEVELS_NEEDING_ACCEPTANCE:
        same = previous_residual == (risk.residual_likelihood, risk.residual_impact)
        if (risk.status == RiskStatus.ACCEPTED and same) or risk.status == RiskStatus.PENDING_ACCEPTANCE:
            return
        risk.request_acceptance()
        risk.accepted_by, risk.accepted_at, risk.acceptance_comment = None, None, ""
        return
    if risk.status != RiskStatus.OPEN:
        risk.settle()
    risk.accepted_by, risk.accepted_at, risk.acceptance_comment = None, None, ""


def _acceptance_follow(*, risk: Risk, user, was_pending: bool, changed: bool) -> None:
    """Keep the engine's acceptance review in step with the risk (after the risk is saved): a risk put up for
    acceptance opens one; a pending risk that changed (re-assessed, edited, closed, flagged) withdraws the open one,
    and opens a fresh one when it still needs acceptance, so senior management decides what the risk is now."""
    from lifecycle.services import review_submit, review_withdraw

    open_review = acceptance_review(risk=risk) if was_pending else None
    if open_review is not None and (changed or risk.status != RiskStatus.PENDING_ACCEPTANCE):
        review_withdraw(review=open_review, user=user, reason=_("风险已修改，须按当前评估重新提交接受。")
                        if risk.status == RiskStatus.PENDING_ACCEPTANCE else _("风险已不再待高管接受。"))
        open_review = None
    if risk.status == RiskStatus.PENDING_ACCEPTANCE and open_review is None:
        submitter = user if user is not None and user.is_authenticated else None
        review_submit(process=RISK_ACCEPTANCE, subject=risk, user=submitter)


def _record_assessment(*, risk: Risk, user, kind: str, comment: str = "") -> RiskAssessment:
    return RiskAssessment.objects.create(
        risk=risk, kind=kind, likelihood=risk.likelihood, impact=risk.impact, inherent_score=risk.inherent_score,
        inherent_level=risk.inherent_level, residual_likelihood=risk.residual_likelihood,
        residual_impact=risk.residual_impact, residual_score=risk.residual_score, residual_level=risk.residual_level,
        comment=comment, assessed_by=user if user and user.is_authenticated else None, assessed_at=timezone.now())


# --- Create, edit, review, accept, close ---------------------------------------------------------------------

def _review_due_check(value: date | None) -> None:
    """A next review set by hand is not in the past (it would be overdue, and reminded, at once)."""
    if value is not None and value < timezone.localdate():
        raise ValidationError({"review_due": _("下次评估日期不能早于今天。")})


@transaction.atomic
def risk_create(*, user, product, data: dict, controls: list[dict] | None = None) -> Risk:
    """Register a risk with its first assessment and controls; owner defaults to the product's owner and the next
    review to 90 days ahead; residual scores default to the inherent ones."""
    _check_editor(user=user, product=product)
    data = dict(data)
    data.setdefault("owner", product.owner)
    data["owner"] = data["owner"] or product.owner
    _review_due_check(data.get("review_due"))
    data["review_due"] = data.get("review_due") or timezone.localdate() + timedelta(days=REVIEW_INTERVAL_DAYS)
    data.setdefault("residual_likelihood", data.get("likelihood"))
    data.setdefault("residual_impact", data.get("impact"))
    risk = Risk(product=product, created_by=user, **data)
    controls = list(controls or [])
    _validate(risk, controls)
    _apply_scores(risk, level_matrix())
    _settle_status(risk=risk, previous_residual=None)
    risk.save()
    _write_controls(risk, controls)
    _record_assessment(risk=risk, user=user, kind=AssessmentKind.INITIAL)
    changes = diff({}, field_values(risk, AUDITED_FIELDS))
    changes.append({"field": "controls", "old": [], "new": _controls_snapshot(risk)})
    audit_record(action=RiskAuditAction.CREATED, actor=user, product=product, obj=risk, to_value=risk.status,
                 comment=risk.title, changes=changes)
    _acceptance_follow(risk=risk, user=user, was_pending=False, changed=False)
    if risk.owner_id != user.pk:
        notify(recipients=[risk.owner], title_code=gettext_noop("您被指定为风险负责人：%(product)s「%(title)s」"),
               params={"product": product.code, "title": risk.title}, url=risk.get_absolute_url())
    return risk


def _locked(risk: Risk, *, closed_ok: bool = False) -> Risk:
    """The risk's row, locked after its product's: the approval engine locks the product first and then, when an
    acceptance is decided, the risk; every risk writer keeps that order."""
    Product.objects.select_for_update().filter(pk=risk.product_id).first()
    locked = Risk.objects.select_for_update(of=("self",)).select_related("product").get(pk=risk.pk)
    if locked.status == RiskStatus.CLOSED and not closed_ok:
        raise DomainConflict(RiskError.CLOSED)
    return locked


@transaction.atomic
def risk_update(*, user, risk: Risk, data: dict, controls: list[dict] | None = None,
                close_reason: str | None = None) -> Risk:
    """Edit a risk (and replace its controls when given); changed scores are a new assessment in its history.

    With `close_reason` the same request also closes it (risk_close): one transaction, so a close that is refused
    (no reason, not closable) leaves the edit unwritten too."""
    if close_reason is not None:
        _closure_reason_check(close_reason)
    risk = _edit(user=user, risk=risk, data=data, controls=controls)
    return risk_close(user=user, risk=risk, reason=close_reason) if close_reason is not None else risk


def _edit(*, user, risk: Risk, data: dict, controls: list[dict] | None) -> Risk:
    risk = _locked(risk)
    _check_editor(user=user, product=risk.product, risk=risk)
    before = field_values(risk, AUDITED_FIELDS)
    before_controls = _controls_snapshot(risk)
    if data.get("review_due") != risk.review_due:
        _review_due_check(data.get("review_due"))
    for name, value in data.items():
        if name not in EDITABLE_FIELDS:
            raise ValidationError({name: _("该字段不能修改。")})
        setattr(risk, name, value if name != "owner" else (value or risk.product.owner))
    if risk.review_due is None:
        risk.review_due = timezone.localdate() + timedelta(days=REVIEW_INTERVAL_DAYS)
    current_controls = controls if controls is not None else _stored_controls(risk)
    _validate(risk, current_controls)
    rescored = any(before[f] != getattr(risk, f) for f in SCORE_FIELDS)
    if rescored:
        _apply_scores(risk, level_matrix())
        _settle_status(risk=risk, previous_residual=(before["residual_likelihood"], before["residual_impact"]))
    if controls is not None and before_controls and not controls and risk.status == RiskStatus.ACCEPTED:
        # The acceptance was given for a residual risk its controls held down: without any it is asked again.
        risk.request_acceptance()
        risk.accepted_by, risk.accepted_at, risk.acceptance_comment = None, None, ""
    same_controls = controls is None or [
        {"description": c["description"].strip(), "type": c["type"], "owner": getattr(c.get("owner"), "pk", None)}
        for c in controls] == before_controls
    if same_controls and not diff(before, field_values(risk, AUDITED_FIELDS)):
        return risk  # sent back untouched: nothing to write
    risk.save()
    if controls is not None:
        _write_controls(risk, controls)
    if rescored:
        _record_assessment(risk=risk, user=user, kind=AssessmentKind.EDIT)
    changes = diff(before, field_values(risk, AUDITED_FIELDS))
    if controls is not None and _controls_snapshot(risk) != before_controls:
        changes.append({"field": "controls", "old": before_controls, "new": _controls_snapshot(risk)})
    if changes:
        audit_record(action=RiskAuditAction.UPDATED, actor=user, product=risk.product, obj=risk,
                     from_value=before["status"], to_value=risk.status, comment=risk.title, changes=changes)
    _acceptance_follow(risk=risk, user=user, was_pending=before["status"] == RiskStatus.PENDING_ACCEPTANCE,
                       changed=bool(changes))
    return risk


def _stored_controls(risk: Risk) -> list[dict]:
    """The stored controls in the shape the validation reads (owner as a user)."""
    return [{"description": c.description, "type": c.type, "owner": c.owner}
            for c in risk.controls.select_related("owner")]


@transaction.atomic
def risk_review(*, user, risk: Risk, likelihood: int, impact: int, residual_likelihood: int, residual_impact: int,
                comment: str, review_due: date | None = None) -> Risk:
    """Re-assess a risk with new scores and a comment; the assessment joins its history, the next review moves
    90 days ahead (or to the given date) and the status is decided again from the residual level."""
    risk = _locked(risk)
    _check_editor(user=user, product=risk.product, risk=risk)
    comment = (comment or "").strip()
    _review_due_check(review_due)
    before = field_values(risk, AUDITED_FIELDS)
    risk.likelihood, risk.impact = likelihood, impact
    risk.residual_likelihood, risk.residual_impact = residual_likelihood, residual_impact
    risk.review_due = review_due or timezone.localdate() + timedelta(days=REVIEW_INTERVAL_DAYS)
    errors = {}
    try:
        _validate(risk, _stored_controls(risk))
    except ValidationError as error:
        errors.update(error.message_dict)
    if not comment:
        errors["comment"] = [_("重新评估须填写评估意见。")]
    if errors:
        raise ValidationError(errors)
    _apply_scores(risk, level_matrix())
    if risk.status == RiskStatus.NEEDS_REVIEW:
        risk.settle()  # the warning has been looked at: decide afresh from the new residual level
        previous = None
    else:
        previous = (before["residual_likelihood"], before["residual_impact"])
    _settle_status(risk=risk, previous_residual=previous)
    risk.save()
    _record_assessment(risk=risk, user=user, kind=AssessmentKind.REVIEW, comment=comment)
    audit_record(action=RiskAuditAction.REVIEWED, actor=user, product=risk.product, obj=risk,
                 from_value=before["status"], to_value=risk.status, comment=comment,
                 changes=diff(before, field_values(risk, AUDITED_FIELDS)))
    # A re-assessment is a new statement of the risk: a pending acceptance is asked again on it.
    _acceptance_follow(risk=risk, user=user, was_pending=before["status"] == RiskStatus.PENDING_ACCEPTANCE,
                       changed=True)
    return risk


@transaction.atomic
def risk_accept(*, user, risk: Risk, comment: str) -> Risk:
    """Senior management (none of the risk's makers) accepts a high or critical residual risk: the decision of the
    senior-management step of the risk's acceptance review in the approval engine, whose approval accepts the risk
    (`risk_acceptance_approved`)."""
    from lifecycle.services import approval_step_decide

    risk = _locked(risk, closed_ok=True)
    if not risk_can_accept(user=user, risk=risk):
        raise PermissionDenied(RiskError.NOT_ACCEPTOR.label)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("接受剩余风险须填写意见。")})
    review = acceptance_review(risk=risk) if risk.status == RiskStatus.PENDING_ACCEPTANCE else None
    if review is None:
        raise DomainConflict(RiskError.NOT_PENDING)
    approval_step_decide(review=review, department=DepartmentCode.SENIOR_MANAGEMENT, user=user,
                         decision="approve", comment=comment)
    return Risk.objects.select_related("product", "accepted_by").get(pk=risk.pk)


def _acceptance_risk(review) -> Risk:
    return Risk.objects.select_for_update(of=("self",)).select_related("product", "owner").get(pk=review.subject_id)


def _decision_comment(*, review, user) -> str:
    return review.steps.filter(decided_by=user).values_list("comment", flat=True).first() or ""


@transaction.atomic
def risk_acceptance_approved(*, review, user) -> None:
    """The engine's approval of an acceptance review (in its transaction): the risk is accepted as assessed."""
    risk = _acceptance_risk(review)
    comment = _decision_comment(review=review, user=user)
    risk.accept()
    risk.accepted_by, risk.accepted_at, risk.acceptance_comment = user, timezone.now(), comment
    risk.save()
    audit_record(action=RiskAuditAction.ACCEPTED, actor=user, product=risk.product, obj=risk,
                 from_value=RiskStatus.PENDING_ACCEPTANCE, to_value=risk.status, comment=comment)
    notify(recipients=[risk.owner, risk.product.owner],
           title_code=gettext_noop("剩余风险已获高管接受：%(product)s「%(title)s」"),
           params={"product": risk.product.code, "title": risk.title}, body=comment, url=risk.get_absolute_url())


@transaction.atomic
def risk_acceptance_refused(*, review, user) -> None:
    """The engine's rejection of an acceptance review: the residual risk is not kept as it is, so the risk waits
    for further treatment and a new assessment (which puts it up again if it is still high)."""
    risk = _acceptance_risk(review)
    comment = _decision_comment(review=review, user=user)
    risk.flag_for_review()
    risk.save(update_fields=["status", "updated_at"])
    audit_record(action=RiskAuditAction.ACCEPTANCE_REFUSED, actor=user, product=risk.product, obj=risk,
                 from_value=RiskStatus.PENDING_ACCEPTANCE, to_value=risk.status, comment=comment)
    notify(recipients=[risk.owner, risk.product.owner],
           title_code=gettext_noop("剩余风险未获高管接受：%(product)s「%(title)s」"),
           body_code=gettext_noop("请加强控制措施后重新评估。%(comment)s"),
           params={"product": risk.product.code, "title": risk.title, "comment": comment},
           url=risk.get_absolute_url())


@transaction.atomic
def risk_close(*, user, risk: Risk, reason: str) -> Risk:
    """Close a risk that no longer applies, with a reason; it stays in the register (risks are never deleted)."""
    risk = _locked(risk)
    _check_editor(user=user, product=risk.product, risk=risk)
    reason = _closure_reason_check(reason)
    before = risk.status
    risk.close()
    risk.closed_by, risk.closed_at, risk.closure_reason = user, timezone.now(), reason
    risk.save()
    audit_record(action=RiskAuditAction.CLOSED, actor=user, product=risk.product, obj=risk, from_value=before,
                 to_value=risk.status, comment=reason)
    _acceptance_follow(risk=risk, user=user, was_pending=before == RiskStatus.PENDING_ACCEPTANCE, changed=True)
    return risk


def _closure_reason_check(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"closure_reason": _("关闭风险须填写理由。")})
    return reason


# --- Monitoring: KPI early warnings and overdue reviews ----------------------------------------------------------

@transaction.atomic
def risks_flag_for_alerts(*, alerts) -> int:
    """kpis hook: a new alert on a risk's metric puts the risk up for re-assessment and tells its owner and the
    risk department. Runs in the KPI computation's transaction."""
    pairs = {(a.product_id, a.metric_id): a for a in alerts}
    if not pairs:
        return 0
    match = reduce(or_, (Q(product_id=p, metric_id=m) for p, m in pairs))
    # Products before risks, in id order: the lock order of every risk writer and of the approval engine.
    list(Product.objects.select_for_update().filter(pk__in={p for p, _m in pairs}).order_by("pk")
         .values_list("pk", flat=True))
    risks = list(Risk.objects.select_for_update(of=("self",)).select_related("product", "owner", "metric")
                 .filter(match, status__in=[RiskStatus.OPEN, RiskStatus.PENDING_ACCEPTANCE, RiskStatus.ACCEPTED])
                 .order_by("id"))
    if not risks:
        return 0
    risk_department = list(department_members(department=DepartmentCode.RISK))
    for risk in risks:
        alert = pairs[(risk.product_id, risk.metric_id)]
        before = risk.status
        risk.flag_for_review()
        risk.save(update_fields=["status", "updated_at"])
        reason = _("指标 %(metric)s 在 %(period)s 触发预警（%(value)s）。") % {
            "metric": risk.metric.display_name, "period": alert.period,
            "value": "—" if alert.value is None else f"{alert.value:,.2f}"}
        audit_record(action=RiskAuditAction.NEEDS_REVIEW, product=risk.product, obj=risk, from_value=before,
                     to_value=risk.status, comment=reason)
        _acceptance_follow(risk=risk, user=None, was_pending=before == RiskStatus.PENDING_ACCEPTANCE, changed=True)
        notify(recipients=[risk.owner, *risk_department],
               title_code=gettext_noop("风险待重新评估：%(product)s「%(title)s」"),
               params={"product": risk.product.code, "title": risk.title}, body=reason,
               url=risk.get_absolute_url())
    return len(risks)


@transaction.atomic
def risk_reviews_remind_overdue(*, today: date | None = None) -> int:
    """Daily beat: remind each owner of risks past their review date, once per due date (safe to re-run)."""
    today = today or timezone.localdate()
    due = list(Risk.objects.select_for_update(of=("self",)).select_related("product", "owner")
               .filter(status__in=ACTIVE_STATUSES, review_due__lt=today)
               .exclude(reminded_for=F("review_due")).order_by("id"))
    for risk in due:
        notify(recipients=[risk.owner],
               title_code=gettext_noop("风险评估逾期：%(product)s「%(title)s」"),
               body_code=gettext_noop("下次评估日期 %(due)s 已过，请尽快重新评估。"),
               params={"product": risk.product.code, "title": risk.title, "due": str(risk.review_due)},
               url=risk.get_absolute_url())
    Risk.objects.filter(pk__in=[r.pk for r in due]).update(reminded_for=F("review_due"))
    return len(due)


# --- Policy data (admin) -------------------------------------------------------------------------------------

@transaction.atomic
def risk_policy_save(*, user, obj: RiskLevelMatrix | RiskCategoryRequirement) -> None:
    """Save a matrix cell or a launch requirement, audited; a matrix edit re-levels every risk at once."""
    created = obj._state.adding
    obj.full_clean()
    obj.save()
    if isinstance(obj, RiskLevelMatrix):
        _risk_levels_recompute()
    audit_record(action=RiskAuditAction.POLICY_CHANGED, actor=user, obj=obj,
                 from_value=_("新增") if created else _("修改"), to_value=str(obj)[:200],
                 comment=f"{obj._meta.verbose_name}: {obj}")


@transaction.atomic
def risk_policy_delete(*, user, objs) -> None:
    for obj in objs:
        audit_record(action=RiskAuditAction.POLICY_CHANGED, actor=user, obj=obj, from_value=_("删除"),
                     to_value=str(obj)[:200], comment=f"{obj._meta.verbose_name}: {obj}")
        obj.delete()
    if any(isinstance(obj, RiskLevelMatrix) for obj in objs):
        _risk_levels_recompute()


def requirements_for(*, product) -> list[str]:
    """Risk categories the launch policy requires for the product's category."""
    rows = RiskCategoryRequirement.objects.filter(Q(product_category="") | Q(product_category=product.category),
                                                  is_active=True)
    return sorted(set(rows.values_list("risk_category", flat=True)))
