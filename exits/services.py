"""Exit runbook rules: writing the plan, aftercare tasks, migration progress, overdue reminders, gate checks.

Pages, the API, the admin, Celery tasks and the gate hooks all call these functions; none re-implements a rule.
Lock order everywhere: product row, then plan row, then task rows, then the audit chain's advisory lock.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.audit import audit_record, audit_value, diff
from core.errors import DomainConflict
from core.roles import four_eyes_allows, product_can_edit
from kpis.models import Alert, Snapshot
from lifecycle.choices import STAGE_GATE, GateReviewStatus
from lifecycle.engine import PRODUCT_TERMS
from lifecycle.models import GateReview
from lifecycle.selectors import review_pending
from notifications.services import notify
from products.choices import LifecycleStage
from products.models import Product
from requirements.models import Requirement

from .choices import (
    DEFAULT_NOTICE_DAYS,
    EVIDENCE_KINDS,
    FINISHED_TASK_STATUSES,
    MAX_CUSTOMERS,
    MAX_SEGMENTS,
    DueAnchor,
    ExitAuditAction,
    ExitError,
    ExitTaskStatus,
)
from .models import ExitNoticePolicy, ExitPlan, ExitProgress, ExitSegment, ExitTask, ExitTaskTemplate
from .progress import validate_progress
from .selectors import plan_segments

S = LifecycleStage
PLAN_STAGES = (S.OPERATION, S.RETIREMENT)
SUCCESSOR_STAGES = (S.MARKETING, S.OPERATION)
# Plans are about real withdrawals: dates far outside this range are typing errors (and would overflow due dates).
EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2099, 12, 31)
EVIDENCE_MODELS = {"snapshots": Snapshot, "alerts": Alert, "requirements": Requirement}


def notice_days(*, category: str) -> int:
    """The notice period customers of the category get (policy data; 30 days without a row)."""
    days = ExitNoticePolicy.objects.filter(category=category).values_list("notice_days", flat=True).first()
    return DEFAULT_NOTICE_DAYS if days is None else days


def exit_plan_can_edit(*, user, product: Product) -> bool:
    """Those who may edit the product write its plan, while it is in operation or retirement."""
    return product.stage in PLAN_STAGES and product_can_edit(user=user, product=product)


def _review_pending(product: Product) -> bool:
    """A stage gate (or terms change) of the product is open: its reviewers may be reading the plan."""
    return review_pending(product=product, scope=PRODUCT_TERMS)


# --- The exit process's reviewers ---------------------------------------------------------------------------------

def _approved_retirement(product: Product) -> GateReview | None:
    """The approved gate that took the product into retirement (its snapshot holds the plan as approved)."""
    return (GateReview.objects.filter(product=product, process=STAGE_GATE, to_stage=S.RETIREMENT,
                                      status=GateReviewStatus.APPROVED).order_by("-decided_at", "-id").first())


def exit_reviewer_can_act(*, user, product: Product) -> bool:
    """A reviewer of the exit process: a member of a department that approved the product's move into retirement
    (the policy's departments for that gate when no such review is recorded), and none of its makers. Lowering
    customers below the approved plan and waiving an aftercare task need one: the manager alone may not."""
    from lifecycle.services import gate_policy_departments, review_makers

    if not (user and user.is_authenticated and user.is_active):
        return False
    review = _approved_retirement(product)
    if review is not None:
        departments = set(review.steps.values_list("department", flat=True))
        makers = review_makers(review=review) | {product.owner_id}
    else:
        departments = {code for code, _days, _esc in gate_policy_departments(product=product, to_stage=S.RETIREMENT)}
        makers = {product.owner_id}
    return bool(departments & set(user.department_codes)) and four_eyes_allows(user=user, makers=makers)


def _approved_customers(*, product: Product, plan: ExitPlan) -> dict[str, int]:
    """Customers per segment as approved (the retirement gate's snapshot; the stored plan without one)."""
    review = _approved_retirement(product)
    segments = ((review.snapshot or {}).get("exit_plan") or {}).get("segments") if review else None
    if segments:
        return {s["name"]: s["customers"] for s in segments}
    return dict(plan.segments.values_list("name", "customers"))


def _lowered(*, product: Product, plan: ExitPlan | None, segments: list[dict]) -> list[str]:
    """During retirement, the segments the new plan puts below the approved customers ("name: a → b")."""
    if plan is None or product.stage != S.RETIREMENT:
        return []
    wanted = {s["name"].strip(): s["customers"] for s in segments}
    return [f"{name}: {approved} → {wanted.get(name, 0)}"
            for name, approved in _approved_customers(product=product, plan=plan).items()
            if wanted.get(name, 0) < approved]


def _beyond_segments(*, before: dict, data, successor, evidence: dict) -> bool:
    """Whether a plan write changes anything but the segments (an exit reviewer only adjusts those)."""
    after = {"reason": data.reason.strip(), "successor": successor.code if successor else None,
             "notice_date": audit_value(data.notice_date), "close_date": audit_value(data.close_date),
             **{kind: sorted(ids) for kind, ids in evidence.items()}}
    return any(before.get(key) != value for key, value in after.items())


# --- The plan ----------------------------------------------------------------------------------------------------

@dataclass
class PlanInput:
    """A plan as written (PUT body or form), already parsed into Python types."""

    reason: str = ""
    successor: str | None = None
    notice_date: date | None = None
    close_date: date | None = None
    segments: list[dict] | None = None
    evidence: dict[str, list[int]] | None = None


def plan_state(plan: ExitPlan | None) -> dict:
    """The audited values of a plan: its fields, segments and evidence ids."""
    if plan is None or plan.pk is None:
        return {}
    return {
        "reason": plan.reason, "successor": plan.successor.code if plan.successor_id else None,
        "notice_date": audit_value(plan.notice_date), "close_date": audit_value(plan.close_date),
        "segments": [{"name": s.name, "customers": s.customers} for s in plan.segments.order_by("position", "id")],
        **{kind: sorted(getattr(plan, kind).values_list("pk", flat=True)) for kind in EVIDENCE_KINDS},
    }


@transaction.atomic
def exit_plan_save(*, user, product: Product, data: PlanInput) -> ExitPlan:
    """Write the product's exit plan (create or replace), checking every rule; audited with the diff. The plan
    returned says whether this call created it (`created_now`)."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    editor = product_can_edit(user=user, product=product)
    reviewer = product.stage == S.RETIREMENT and exit_reviewer_can_act(user=user, product=product)
    if not (editor or reviewer):
        raise PermissionDenied(_("您无权编辑该产品的退出计划。"))
    if product.stage not in PLAN_STAGES:
        raise DomainConflict(ExitError.PLAN_NOT_EDITABLE)
    if _review_pending(product):
        raise DomainConflict(ExitError.PLAN_UNDER_REVIEW)
    plan = ExitPlan.objects.select_for_update().filter(product=product).first()
    before = plan_state(plan)
    segments = data.segments or []
    evidence = {kind: list(dict.fromkeys((data.evidence or {}).get(kind) or [])) for kind in EVIDENCE_KINDS}
    successor, errors = _check_plan(product=product, plan=plan, data=data, segments=segments, evidence=evidence)
    if errors:
        raise ValidationError(errors)
    if not editor and _beyond_segments(before=before, data=data, successor=successor, evidence=evidence):
        raise PermissionDenied(_("退出流程的审批人只能调整客群客户数。"))
    lowered = _lowered(product=product, plan=plan, segments=segments)
    if lowered and not reviewer:
        raise PermissionDenied(_("客群客户数低于审批的退出计划（%(items)s），须由退出流程的审批人调整。") % {
            "items": "; ".join(lowered)})
    created = plan is None
    plan = plan or ExitPlan(product=product, created_by=user)
    fields = {"reason": data.reason.strip(), "successor_id": successor.pk if successor else None,
              "notice_date": data.notice_date, "close_date": data.close_date}
    # A plan sent back untouched writes no row (its updated_at stays, nothing to audit).
    if created or any(getattr(plan, name) != value for name, value in fields.items()):
        plan.reason, plan.successor = fields["reason"], successor
        plan.notice_date, plan.close_date = data.notice_date, data.close_date
        plan.save()
    for kind in EVIDENCE_KINDS:
        getattr(plan, kind).set(evidence[kind])
    _sync_segments(plan=plan, segments=segments)
    _retime_open_tasks(plan=plan)
    if product.stage == S.RETIREMENT:
        exit_tasks_ensure(plan=plan, user=user)
    plan.created_now = created  # decided under the product's lock: the API answers 201 only to the creator
    changes = diff(before, plan_state(plan))
    if created or changes:
        audit_record(action=ExitAuditAction.PLAN_CREATED if created else ExitAuditAction.PLAN_UPDATED, actor=user,
                     product=product, obj=plan, from_value=", ".join(c["field"] for c in changes)[:200],
                     changes=changes)
    if lowered:
        audit_record(action=ExitAuditAction.SEGMENTS_LOWERED, actor=user, product=product, obj=plan,
                     comment="; ".join(lowered))
    return plan


def _check_plan(*, product, plan, data: PlanInput, segments, evidence) -> tuple[Product | None, dict]:
    errors: dict[str, list[str]] = {}
    successor, problem = _check_successor(product=product, code=data.successor, reason=data.reason)
    if problem:
        errors["successor"] = [problem]
    for name in ("notice_date", "close_date"):
        value = getattr(data, name)
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            errors[name] = [_("日期须在 %(start)s 至 %(end)s 之间。") % {"start": EARLIEST_DATE, "end": LATEST_DATE}]
    if data.notice_date and data.close_date and not {"notice_date", "close_date"} & set(errors):
        days = notice_days(category=product.category)
        if data.close_date < data.notice_date + timedelta(days=days):
            errors["close_date"] = [_("关闭日须在客户通知日至少 %(days)d 天之后（%(category)s类产品的通知期）。") % {
                "days": days, "category": product.get_category_display()}]
    problems = _segment_problems(plan=plan, segments=segments)
    if problems:
        errors["segments"] = problems
    problems = _evidence_problems(product=product, evidence=evidence)
    if problems:
        errors["evidence"] = problems
    return successor, errors


def _check_successor(*, product, code, reason: str) -> tuple[Product | None, str]:
    if not code:
        return None, ""
    successor = Product.objects.filter(code=code).first()
    if successor is None:
        return None, _("未知产品代码 '%(code)s'。") % {"code": code}
    if successor.pk == product.pk:
        return None, _("承接产品不能是本产品。")
    if successor.stage not in SUCCESSOR_STAGES:
        return None, _("承接产品须处于推广或运营阶段（%(code)s 处于「%(stage)s」）。") % {
            "code": code, "stage": successor.get_stage_display()}
    if successor.category != product.category and not reason.strip():
        return None, _("承接产品与本产品类别不同，须填写退出原因说明。")
    return successor, ""


def _segment_problems(*, plan, segments: list[dict]) -> list[str]:
    """Names unique, counts non-negative integers, at most 50; a segment with progress keeps its name and at
    least the customers already migrated or closed."""
    problems, seen = [], set()
    if len(segments) > MAX_SEGMENTS:
        return [_("最多 %(max)d 个客群。") % {"max": MAX_SEGMENTS}]
    for segment in segments:
        name, customers = segment["name"].strip(), segment["customers"]
        if not name:
            problems.append(_("客群名称不能为空。"))
        elif name in seen:
            problems.append(_("客群名称「%(name)s」重复。") % {"name": name})
        seen.add(name)
        if isinstance(customers, bool) or not isinstance(customers, int) or not 0 <= customers <= MAX_CUSTOMERS:
            problems.append(_("客群「%(name)s」的客户数须为非负整数。") % {"name": name})
    if plan is not None and not problems:
        wanted = {s["name"].strip(): s["customers"] for s in segments}
        for name, done in _reported(plan=plan).items():
            if name not in wanted:
                problems.append(_("客群「%(name)s」已有迁移进度，不能删除。") % {"name": name})
            elif wanted[name] < done:
                problems.append(_("客群「%(name)s」已迁移或销户 %(done)d 人，客户数不能更少。") % {
                    "name": name, "done": done})
    return problems


def _reported(*, plan) -> dict[str, int]:
    """Per segment name, the largest migrated + closed any day reported."""
    totals: dict[str, int] = {}
    rows = ExitProgress.objects.filter(segment__plan=plan).values_list("segment__name", "migrated", "closed")
    for name, migrated, closed in rows:
        totals[name] = max(totals.get(name, 0), migrated + closed)
    return totals


def _evidence_problems(*, product, evidence: dict[str, list[int]]) -> list[str]:
    problems = []
    labels = {"snapshots": _("指标快照"), "alerts": _("预警"), "requirements": _("需求")}
    for kind, ids in evidence.items():
        found = set(EVIDENCE_MODELS[kind].objects.filter(pk__in=ids, product=product).values_list("pk", flat=True))
        missing = [str(pk) for pk in ids if pk not in found]
        if missing:
            problems.append(_("%(kind)s %(ids)s 不存在或不属于本产品。") % {"kind": labels[kind],
                                                                          "ids": ", ".join(missing)})
    return problems


def _sync_segments(*, plan: ExitPlan, segments: list[dict]) -> None:
    """Keep segments by name (their progress stays), update counts and order, drop the rest, add the new."""
    existing = {s.name: s for s in plan.segments.all()}
    wanted = {s["name"].strip(): (i, s["customers"]) for i, s in enumerate(segments)}
    if set(existing) - set(wanted):
        plan.segments.exclude(name__in=list(wanted)).delete()
    changed = []
    for name, (position, customers) in wanted.items():
        segment = existing.get(name)
        if segment is not None and (segment.position, segment.customers) != (position, customers):
            segment.position, segment.customers = position, customers
            changed.append(segment)
    if changed:  # untouched segments are not rewritten
        ExitSegment.objects.bulk_update(changed, ["position", "customers"])
    ExitSegment.objects.bulk_create(ExitSegment(plan=plan, name=name, customers=customers, position=position)
                                    for name, (position, customers) in wanted.items() if name not in existing)


# --- Completeness and the gate checks ------------------------------------------------------------------------------

def plan_missing(*, plan: ExitPlan | None) -> list[str]:
    """What the plan still lacks before operation -> retirement may be submitted (empty when complete)."""
    if plan is None:
        return [ExitError.NO_PLAN.label]
    missing = []
    if not plan.reason:
        missing.append(_("缺少退出原因。"))
    if not (plan.snapshots.exists() or plan.alerts.exists() or plan.requirements.exists()):
        missing.append(_("缺少决策依据（指标快照、预警或需求）。"))
    if plan.notice_date is None:
        missing.append(_("缺少客户通知日。"))
    if plan.close_date is None:
        missing.append(_("缺少产品关闭日。"))
    if not plan.segments.exists():
        missing.append(_("缺少迁移客群。"))
    if plan.successor_id and plan.successor.stage not in SUCCESSOR_STAGES:
        missing.append(_("承接产品 %(code)s 已不在推广或运营阶段。") % {"code": plan.successor.code})
    return missing


def exit_blockers(*, plan: ExitPlan | None) -> list[str]:
    """What keeps the product from retiring: each segment with customers left and each unfinished task."""
    if plan is None:
        return [ExitError.NO_PLAN.label]
    blockers = [_("客群「%(name)s」仍有 %(n)d 名客户未迁移或销户。") % {"name": s.name, "n": s.remaining}
                for s in plan_segments(plan=plan) if s.remaining > 0]
    tasks = plan.tasks.exclude(status__in=FINISHED_TASK_STATUSES).order_by("due_date", "template__position", "id")
    blockers += [_("善后任务「%(title)s」尚未完成或豁免。") % {"title": t.display_title} for t in tasks]
    if not plan.tasks.exists():
        blockers.append(_("善后任务尚未生成。"))
    return blockers


def exit_plan_of(product: Product) -> ExitPlan | None:
    return ExitPlan.objects.select_related("successor").filter(product=product).first()


# --- Aftercare tasks ------------------------------------------------------------------------------------------------

def _due(plan: ExitPlan, template: ExitTaskTemplate) -> date:
    anchor = plan.notice_date if template.anchor == DueAnchor.NOTICE_DATE else plan.close_date
    return (anchor or timezone.localdate()) + timedelta(days=template.offset_days)


@transaction.atomic
def exit_tasks_ensure(*, plan: ExitPlan, user=None) -> int:
    """Create the plan's aftercare tasks from the active templates (missing ones only), owned by the product's
    owner and due relative to the plan's dates; audited once. Returns how many were created."""
    templates = list(ExitTaskTemplate.objects.filter(is_active=True).exclude(tasks__plan=plan))
    if not templates:
        return 0
    owner_id = plan.product.owner_id
    rows = ExitTask.objects.bulk_create(
        [ExitTask(plan=plan, template=t, title=t.title, title_en=t.title_en, owner_id=owner_id,
                  due_date=_due(plan, t)) for t in templates], ignore_conflicts=True)
    audit_record(action=ExitAuditAction.TASKS_CREATED, actor=user, product=plan.product, obj=plan,
                 to_value=str(len(rows)), comment="; ".join(t.title for t in templates))
    return len(rows)


def _retime_open_tasks(*, plan: ExitPlan) -> None:
    """Open tasks follow the plan's dates when they move (set-based, one statement per anchor)."""
    for anchor, day in ((DueAnchor.NOTICE_DATE, plan.notice_date), (DueAnchor.CLOSE_DATE, plan.close_date)):
        if day is None:
            continue
        for offset in set(plan.tasks.filter(status=ExitTaskStatus.OPEN, template__anchor=anchor)
                          .values_list("template__offset_days", flat=True)):
            plan.tasks.filter(status=ExitTaskStatus.OPEN, template__anchor=anchor,
                              template__offset_days=offset).exclude(
                due_date=day + timedelta(days=offset)).update(due_date=day + timedelta(days=offset))


def exit_task_can_edit(*, user, task: ExitTask) -> bool:
    """The task's owner and those who may edit the product finish or waive tasks."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.pk == task.owner_id or product_can_edit(user=user, product=task.plan.product)


@transaction.atomic
def exit_task_update(*, user, task: ExitTask, status: str, reason: str = "") -> ExitTask:
    """Mark an aftercare task done or waive it (a waiver needs a reason); audited."""
    product = Product.objects.select_for_update().get(pk=task.plan.product_id)
    task = ExitTask.objects.select_for_update().select_related("plan__product").get(pk=task.pk)
    waiving = status == ExitTaskStatus.WAIVED
    reviewer = waiving and exit_reviewer_can_act(user=user, product=product)
    if not (exit_task_can_edit(user=user, task=task) or reviewer):
        raise PermissionDenied(_("只有任务负责人或可编辑该产品的人可以处理善后任务。"))
    if status not in FINISHED_TASK_STATUSES:
        raise ValidationError({"status": _("状态必须是 done 或 waived。")})
    reason = (reason or "").strip()
    if status == ExitTaskStatus.WAIVED and not reason:
        raise ValidationError({"reason": _("豁免必须填写理由。")})
    if product.stage != S.RETIREMENT:
        raise DomainConflict(ExitError.NOT_IN_RETIREMENT)
    if task.status != ExitTaskStatus.OPEN:
        raise DomainConflict(ExitError.TASK_CLOSED)
    if waiving and not reviewer:  # every aftercare task is required: skipping one is a reviewer's call
        raise PermissionDenied(_("豁免善后任务须由退出流程的审批人决定。"))
    task.complete() if status == ExitTaskStatus.DONE else task.waive()
    task.reason, task.completed_by, task.completed_at = reason, user, timezone.now()
    task.save()
    action = ExitAuditAction.TASK_DONE if status == ExitTaskStatus.DONE else ExitAuditAction.TASK_WAIVED
    audit_record(action=action, actor=user, product=product, obj=task, from_value=ExitTaskStatus.OPEN,
                 to_value=status, comment=task.title + (f": {reason}" if reason else ""))
    return task


@transaction.atomic
def exit_tasks_remind_overdue(*, today: date | None = None) -> int:
    """Remind the owners of open tasks past their due date, once per task; safe to re-run."""
    today = today or timezone.localdate()
    tasks = ExitTask.objects.select_for_update(of=("self",)).select_related("plan__product", "owner").filter(
        status=ExitTaskStatus.OPEN, due_date__lt=today, reminded_at__isnull=True,
        plan__product__stage=S.RETIREMENT).order_by("id")
    count = 0
    for task in tasks:
        task.reminded_at = timezone.now()
        task.save(update_fields=["reminded_at"])
        product = task.plan.product
        audit_record(action=ExitAuditAction.TASK_OVERDUE, product=product, obj=task, to_value=str(task.due_date),
                     comment=task.title)
        notify(recipients=[task.owner], title_code=gettext_noop("善后任务逾期：%(product)s %(title)s"),
               body_code=gettext_noop("截止日期 %(due)s 已过，请尽快处理。"),
               params={"product": product.code, "title": task.title, "due": str(task.due_date)},
               url=product.get_absolute_url())
        count += 1
    return count


# --- Migration progress ---------------------------------------------------------------------------------------------

@dataclass
class ProgressResult:
    received: int
    created: int
    replaced: int
    dry_run: bool


@transaction.atomic
def exit_progress_record(*, user, product: Product, items, dry_run: bool = False) -> ProgressResult:
    """Cumulative migrated / closed counts per segment and day from the bank's systems: every item valid or
    nothing written (per-index errors); a segment and day sent again replaces its row; one upsert; audited."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    if not product_can_edit(user=user, product=product):
        raise PermissionDenied(_("您无权提交该产品的迁移进度。"))
    plan = ExitPlan.objects.select_for_update().filter(product=product).first()
    if plan is None:
        raise DomainConflict(ExitError.NO_PLAN)
    if product.stage != S.RETIREMENT:
        raise DomainConflict(ExitError.NOT_IN_RETIREMENT)
    segments = {s.name: s for s in plan.segments.all()}
    existing = {(seg_id, day): (migrated, closed) for seg_id, day, migrated, closed in ExitProgress.objects.filter(
        segment__plan=plan).values_list("segment_id", "date", "migrated", "closed")}
    rows = validate_progress(items=items, segments=segments, existing=existing, today=timezone.localdate())
    replaced = sum(1 for row in rows if (row.segment.pk, row.date) in existing)
    result = ProgressResult(received=len(rows), created=len(rows) - replaced, replaced=replaced, dry_run=dry_run)
    if dry_run:
        return result
    now = timezone.now()
    ExitProgress.objects.bulk_create(
        [ExitProgress(segment=r.segment, date=r.date, migrated=r.migrated, closed=r.closed, recorded_by=user,
                      recorded_at=now) for r in rows],
        update_conflicts=True, unique_fields=["segment", "date"],
        update_fields=["migrated", "closed", "recorded_by", "recorded_at"])
    changes = [{"field": f"{r.segment.name}@{r.date.isoformat()}",
                "old": _counts(existing.get((r.segment.pk, r.date))),
                "new": {"migrated": r.migrated, "closed": r.closed}} for r in rows]
    audit_record(action=ExitAuditAction.PROGRESS_RECORDED, actor=user, product=product, obj=plan,
                 to_value=_("%(n)d 条") % {"n": len(rows)}, changes=changes)
    return result


def _counts(pair) -> dict | None:
    return None if pair is None else {"migrated": pair[0], "closed": pair[1]}


# --- Policy data (admin) --------------------------------------------------------------------------------------------

@transaction.atomic
def exit_policy_save(*, user, obj: ExitNoticePolicy | ExitTaskTemplate) -> None:
    """Save a notice period or task template and audit it in one transaction."""
    created = obj._state.adding
    obj.full_clean()
    obj.save()
    audit_record(action=ExitAuditAction.POLICY_CHANGED, actor=user, obj=obj,
                 from_value=_("新增") if created else _("修改"), to_value=str(obj)[:200])


@transaction.atomic
def exit_policy_delete(*, user, objs) -> None:
    """Delete notice periods or templates, all or none, each audited (a template in use is protected)."""
    for obj in objs:
        audit_record(action=ExitAuditAction.POLICY_CHANGED, actor=user, obj=obj, from_value=_("删除"),
                     to_value=str(obj)[:200])
        obj.delete()
