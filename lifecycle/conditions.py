"""Approve with conditions (a service module of the approval engine): an approving department attaches actions,
each owned by a person and due on a date; they stay open until done (with evidence) or waived (by the deciding
department, with a reason). Open conditions block what the process's policy says: by default the product's next
stage-gate submission and a change's rollout (409 `conditions_open` listing them). Every step is audited.

Lock order: product row, then review and step rows (in the engine), then condition rows, then the audit chain.
"""
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.audit import audit_record
from core.errors import DomainConflict, FieldValidationError
from core.roles import department_members, four_eyes_allows, in_department, is_portfolio_manager
from notifications.services import notify

from .choices import AuditAction, ConditionStatus, LifecycleError
from .models import Condition

MAX_CONDITIONS = 20
REMIND_DAYS_BEFORE = 3


class ConditionsOpen(DomainConflict):
    """409 `conditions_open` with the open conditions (`conditions`) in the body."""

    def __init__(self, conditions: list[Condition]):
        super().__init__(LifecycleError.CONDITIONS_OPEN)
        self.extra = {"conditions": [condition_summary(c) for c in conditions]}


def condition_summary(condition: Condition) -> dict:
    return {"id": condition.pk, "action": condition.action, "owner": condition.owner_id,
            "due": condition.due.isoformat(), "department": condition.department, "review": condition.review_id,
            "status": condition.status}


def conditions_open(*, product=None, review=None) -> QuerySet[Condition]:
    """Open conditions of a product (any review) or of one review."""
    rows = Condition.objects.filter(status=ConditionStatus.OPEN).order_by("due", "id")
    if product is not None:
        rows = rows.filter(product=product)
    if review is not None:
        rows = rows.filter(review=review)
    return rows


def conditions_guard(*, product=None, review=None) -> None:
    """Refuse (409 `conditions_open`) while conditions of the product or review are open."""
    rows = list(conditions_open(product=product, review=review)[:MAX_CONDITIONS * 5])
    if rows:
        raise ConditionsOpen(rows)


def conditions_clean(items) -> list[dict]:
    """Validate `[{"action", "owner", "due"}]` (owner a user or id, due a date or ISO day); errors per index."""
    if not isinstance(items, list):
        raise FieldValidationError({"conditions": [_("条件必须是列表。")]})
    if len(items) > MAX_CONDITIONS:
        raise FieldValidationError({"conditions": [_("每项决定最多附 %(n)s 个条件。") % {"n": MAX_CONDITIONS}]})
    users = get_user_model().objects.filter(is_active=True)
    today, clean, errors = timezone.localdate(), [], {}
    for index, item in enumerate(items):
        problems: dict[str, list[str]] = {}
        item = item if isinstance(item, dict) else {}
        action = item.get("action")
        if not isinstance(action, str) or not action.strip() or len(action) > 500 or "\x00" in action:
            problems["action"] = [_("请填写 1–500 字的须落实事项。")]
        owner = item.get("owner")
        owner_id = getattr(owner, "pk", owner)
        owner = users.filter(pk=owner_id).first() if isinstance(owner_id, int) and not isinstance(
            owner_id, bool) else None
        if owner is None:
            problems["owner"] = [_("请选择在职的负责人。")]
        due = item.get("due")
        if isinstance(due, str):
            try:
                due = date.fromisoformat(due)
            except ValueError:
                due = None
        if not isinstance(due, date) or due < today:
            problems["due"] = [_("截止日期须为今天或以后的日期（YYYY-MM-DD）。")]
        if problems:
            errors[str(index)] = problems
        else:
            clean.append({"action": action.strip(), "owner": owner, "due": due})
    if errors:
        raise FieldValidationError({"conditions": errors})
    return clean


@transaction.atomic
def conditions_create(*, step, user, items: list[dict]) -> list[Condition]:
    """The deciding step's conditions (already cleaned), in the deciding transaction; audited, owners told."""
    review = step.review
    rows = Condition.objects.bulk_create(
        Condition(review=review, step=step, product_id=review.product_id, department=step.department,
                  action=item["action"], owner=item["owner"], due=item["due"]) for item in items)
    for condition in rows:
        audit_record(action=AuditAction.CONDITION_SET, actor=user, product=review.product, obj=condition,
                     to_value=condition.due.isoformat(), comment=condition.action)
        notify(recipients=[condition.owner], title_code=gettext_noop("审批条件待落实：%(product)s"),
               body_code=gettext_noop("%(action)s（截止 %(due)s）"),
               params={"product": review.product.code, "action": condition.action, "due": str(condition.due)},
               url=review.product.get_absolute_url())
    return rows


def _locked(condition: Condition) -> Condition:
    condition = Condition.objects.select_for_update().select_related("product", "review").get(pk=condition.pk)
    if condition.status != ConditionStatus.OPEN:
        raise DomainConflict(LifecycleError.CONDITION_CLOSED)
    return condition


def condition_can_complete(*, user, condition: Condition) -> bool:
    """The condition's owner, the product's owner, heads of product and admins record it done."""
    return bool(user and user.is_authenticated and user.is_active) and (
        user.pk in (condition.owner_id, condition.product.owner_id) or is_portfolio_manager(user))


def condition_can_waive(*, user, condition: Condition) -> bool:
    """Only a member of the deciding department, never one of the review's makers nor the condition's owner."""
    from .services import review_makers

    if not (user and user.is_authenticated and user.is_active):
        return False
    return in_department(user=user, department=condition.department) and four_eyes_allows(
        user=user, makers={*review_makers(review=condition.review), condition.owner_id})


@transaction.atomic
def condition_complete(*, user, condition: Condition, comment: str, document=None) -> Condition:
    """Record a condition done with its evidence (a comment, optionally a document); audited."""
    condition = _locked(condition)
    if not condition_can_complete(user=user, condition=condition):
        raise PermissionDenied(_("只有条件负责人、产品负责人或产品主管可以登记落实。"))
    comment = (comment or "").strip()
    if not comment:
        raise FieldValidationError({"comment": [_("请说明落实情况。")]})
    condition.complete()
    condition.evidence, condition.closed_by, condition.closed_at = comment, user, timezone.now()
    if document is not None:
        condition.document = document
    condition.save()
    audit_record(action=AuditAction.CONDITION_DONE, actor=user, product=condition.product, obj=condition,
                 from_value=ConditionStatus.OPEN, to_value=ConditionStatus.DONE, comment=comment)
    return condition


@transaction.atomic
def condition_waive(*, user, condition: Condition, reason: str) -> Condition:
    """Waive a condition (the deciding department only, with a reason); audited."""
    condition = _locked(condition)
    if not condition_can_waive(user=user, condition=condition):
        raise PermissionDenied(_("只有作出该条件的审批部门可以豁免。"))
    reason = (reason or "").strip()
    if not reason:
        raise FieldValidationError({"reason": [_("豁免必须填写理由。")]})
    condition.waive()
    condition.waiver_reason, condition.closed_by, condition.closed_at = reason, user, timezone.now()
    condition.save()
    audit_record(action=AuditAction.CONDITION_WAIVED, actor=user, product=condition.product, obj=condition,
                 from_value=ConditionStatus.OPEN, to_value=ConditionStatus.WAIVED, comment=reason)
    return condition


@transaction.atomic
def conditions_remind(*, today: date | None = None) -> dict[str, int]:
    """Daily beat: remind owners a few days before a condition is due; once overdue, escalate to heads of product
    and the deciding department (each once; safe to re-run)."""
    today = today or timezone.localdate()
    open_rows = Condition.objects.select_for_update(of=("self",)).select_related("product", "owner").filter(
        status=ConditionStatus.OPEN)
    reminded = escalated = 0
    for condition in open_rows.filter(reminded_at__isnull=True, due__lte=today + timedelta(days=REMIND_DAYS_BEFORE)):
        condition.reminded_at = timezone.now()
        condition.save(update_fields=["reminded_at"])
        reminded += 1
        notify(recipients=[condition.owner], title_code=gettext_noop("审批条件即将到期：%(product)s"),
               body_code=gettext_noop("%(action)s（截止 %(due)s）"),
               params={"product": condition.product.code, "action": condition.action, "due": str(condition.due)},
               url=condition.product.get_absolute_url())
    heads = list(get_user_model().objects.filter(role="head_of_product", is_active=True))
    for condition in open_rows.filter(escalated_at__isnull=True, due__lt=today):
        condition.escalated_at = timezone.now()
        condition.save(update_fields=["escalated_at"])
        escalated += 1
        audit_record(action=AuditAction.CONDITION_OVERDUE, product=condition.product, obj=condition,
                     to_value=condition.due.isoformat(), comment=condition.action)
        notify(recipients=[condition.owner, *heads, *department_members(department=condition.department)],
               title_code=gettext_noop("审批条件逾期：%(product)s"),
               body_code=gettext_noop("%(action)s（截止 %(due)s）"),
               params={"product": condition.product.code, "action": condition.action, "due": str(condition.due)},
               url=condition.product.get_absolute_url())
    return {"reminded": reminded, "escalated": escalated}
