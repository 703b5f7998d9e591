"""Periodic product reviews: the cadence, opening (by the beat as the system, or by a head of product on an event),
the manager's preparation and submission of the pack, the outcome's follow-ups, overdue escalation, policy audit.

Pages, the API, the admin and the beat task call these functions; none re-implements a rule. The decision runs in
the approval engine (process `periodic_review`, reviews.processes); its finish comes back to `review_on_finished`.
Lock order everywhere: the opening run's advisory lock, product row, review row, then (in the engine) its review
and steps, then the audit chain.
"""
import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.choices import Role
from approvals.choices import GateReviewStatus
from approvals.models import GateReview
from core.audit import audit_edit, audit_record, field_values
from core.errors import DomainConflict
from core.roles import product_can_submit, senior_managers
from notifications.services import localised, notify
from products.choices import LifecycleStage
from products.models import Product

from .choices import (
    OPEN_STATUSES,
    PERIODIC_REVIEW,
    SOONER_OUTCOMES,
    ReviewAuditAction,
    ReviewError,
    ReviewOutcome,
    ReviewStatus,
    ReviewTrigger,
)
from .models import CadencePolicy, ProductReview

# Arbitrary constant key of the advisory lock that serialises runs of the opening task (two beats, a manual run).
OPEN_LOCK_KEY = 7_310_022
# Fallback when the policy has no row for a rating (the seeded defaults cover R1-R5).
DEFAULT_CADENCE = {"R1": (24, 12), "R2": (24, 12), "R3": (12, 6), "R4": (6, 3), "R5": (6, 3)}
DEFAULT_LEAD_DAYS = 30
PRICE_VALUE_FIELDS = ("price_paid", "value_received", "comparison", "conclusion")


@dataclass(frozen=True)
class Cadence:
    months: int
    remediate_months: int
    lead_days: int


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


# --- Cadence -----------------------------------------------------------------------------------------------------

def cadence_table() -> dict[tuple[str, str], Cadence]:
    return {(row.risk_rating, row.category): Cadence(row.months, row.remediate_months, row.lead_days)
            for row in CadencePolicy.objects.all()}


def cadence_for(*, risk_rating: str, category: str, table: dict | None = None) -> Cadence:
    """The policy's cadence: the row for the rating and category, else the rating's general row, else the
    default (R1-R2 24 months, R3 12, R4-R5 6)."""
    table = cadence_table() if table is None else table
    found = table.get((risk_rating, category)) or table.get((risk_rating, ""))
    if found:
        return found
    months, sooner = DEFAULT_CADENCE.get(risk_rating, (12, 6))
    return Cadence(months, sooner, DEFAULT_LEAD_DAYS)


def launch_dates(product_ids) -> dict[int, date]:
    """When each product went on sale: the approved launch gate (into marketing; into operation without one);
    without a recorded gate (products loaded already in operation), its first month with figures or its creation,
    whichever is earlier."""
    found: dict[int, date] = {}
    gates = (GateReview.objects.filter(product_id__in=product_ids, process="stage_gate",
                                       status=GateReviewStatus.APPROVED,
                                       to_stage__in=[LifecycleStage.MARKETING, LifecycleStage.OPERATION])
             .values("product_id", "to_stage").annotate(first=Min("decided_at")))
    for row in sorted(gates, key=lambda r: r["to_stage"] != LifecycleStage.MARKETING):
        found.setdefault(row["product_id"], timezone.localdate(row["first"]))
    missing = [pk for pk in product_ids if pk not in found]
    if not missing:
        return found
    from kpis.models import Snapshot

    first_figures = dict(Snapshot.objects.filter(product_id__in=missing, granularity="month")
                         .values_list("product_id").annotate(first=Min("period_start")).order_by())
    for pk, created in Product.objects.filter(pk__in=missing).values_list("pk", "created_at"):
        created = timezone.localdate(created)
        found[pk] = min(created, first_figures.get(pk, created))
    return found


def last_decided(product_ids) -> dict[int, ProductReview]:
    """The last decided review of each product (one query; the first row per product of the ordered list)."""
    latest: dict[int, ProductReview] = {}
    for row in (ProductReview.objects.filter(product_id__in=product_ids, status=ReviewStatus.DECIDED)
                .only("id", "product_id", "outcome", "decided_at").order_by("product_id", "-decided_at", "-id")):
        latest.setdefault(row.product_id, row)
    return latest


def next_due_dates(products) -> dict[int, date]:
    """The next review due date of each product (computed, so a policy edit applies at once): the last decided
    review's date plus the cadence (shorter after `remediate` or `exit`), or the launch date plus the cadence."""
    products = list(products)
    ids = [p.pk for p in products]
    table, decided, launched = cadence_table(), last_decided(ids), None
    due = {}
    for product in products:
        cadence = cadence_for(risk_rating=product.risk_rating, category=product.category, table=table)
        last = decided.get(product.pk)
        if last is not None:
            months = cadence.remediate_months if last.outcome in SOONER_OUTCOMES else cadence.months
            due[product.pk] = add_months(timezone.localdate(last.decided_at), months)
            continue
        if launched is None:
            launched = launch_dates(ids)
        due[product.pk] = add_months(launched[product.pk], cadence.months)
    return due


def next_review_due(*, product: Product) -> date | None:
    """The product's next review due date; None unless it is in operation."""
    if product.stage != LifecycleStage.OPERATION:
        return None
    return next_due_dates([product])[product.pk]


def period_start_for(*, product: Product) -> date:
    last = last_decided([product.pk]).get(product.pk)
    return timezone.localdate(last.decided_at) if last else launch_dates([product.pk])[product.pk]


# --- Opening -------------------------------------------------------------------------------------------------------

def review_can_open(*, user) -> bool:
    """Heads of product open a review at any time (an event: a red alert, a complaint spike)."""
    return bool(user and user.is_authenticated and user.is_active and user.is_head_of_product)


def _open(*, product: Product, trigger: str, due_date: date, user=None, reason: str = "") -> ProductReview:
    """Create the review under the product's row lock; the partial unique constraint backs the lock."""
    if product.stage != LifecycleStage.OPERATION:
        raise DomainConflict(ReviewError.NOT_OPERATING)
    if ProductReview.objects.filter(product=product, status__in=OPEN_STATUSES).exists():
        raise DomainConflict(ReviewError.ALREADY_OPEN)
    try:
        with transaction.atomic():
            review = ProductReview.objects.create(
                product=product, trigger=trigger, reason=reason, due_date=due_date,
                period_start=period_start_for(product=product), opened_by=user, opened_at=timezone.now())
    except IntegrityError as error:  # another writer opened one a moment ago
        raise DomainConflict(ReviewError.ALREADY_OPEN) from error
    audit_record(action=ReviewAuditAction.OPENED, actor=user, product=product, obj=review, to_value=trigger,
                 comment="\n".join(filter(None, [_("到期日 %(due)s") % {"due": due_date}, reason])))
    notify(recipients=[product.owner],
           title_code=gettext_noop("定期评审已开启：%(product)s"),
           body_code=gettext_noop("请在 %(due)s 前完成价格与价值评估并提交评审材料。"),
           params={"product": product.code, "due": str(due_date)}, url=review.get_absolute_url(),
           group=f"periodic-review:{review.pk}")
    return review


@transaction.atomic
def review_open(*, user, product: Product, reason: str) -> ProductReview:
    """A head of product opens a review now, with the event that calls for it (due within the lead time)."""
    if not review_can_open(user=user):
        raise PermissionDenied(_("只有产品主管可以随时开启定期评审。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写开启评审的理由（如红色预警、投诉激增）。")})
    product = Product.objects.select_for_update().get(pk=product.pk)
    cadence = cadence_for(risk_rating=product.risk_rating, category=product.category)
    scheduled = next_review_due(product=product)
    due = timezone.localdate() + timedelta(days=cadence.lead_days)
    due = min(due, scheduled) if scheduled and scheduled > timezone.localdate() else due
    return _open(product=product, trigger=ReviewTrigger.EVENT, due_date=due, user=user, reason=reason)


def reviews_open_due(*, today: date | None = None) -> int:
    """The beat's run: open, as the system, the review of every product in operation whose due date is within its
    lead time and that has no review running. Exactly once however often it runs, even two beats at the same
    moment: runs are serialised by an advisory lock, each product is locked, and the constraint backs both."""
    today = today or timezone.localdate()
    opened = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [OPEN_LOCK_KEY])
        candidates = list(Product.objects.filter(stage=LifecycleStage.OPERATION).exclude(
            periodic_reviews__status__in=OPEN_STATUSES).select_related("owner").order_by("pk"))
        dues, table = next_due_dates(candidates), cadence_table()
        for product in candidates:
            cadence = cadence_for(risk_rating=product.risk_rating, category=product.category, table=table)
            if dues[product.pk] - timedelta(days=cadence.lead_days) > today:
                continue
            locked = Product.objects.select_for_update().select_related("owner").get(pk=product.pk)
            try:
                _open(product=locked, trigger=ReviewTrigger.SCHEDULED, due_date=dues[product.pk])
            except DomainConflict:
                continue
            opened += 1
    return opened


# --- Preparation and submission ------------------------------------------------------------------------------------

def review_can_prepare(*, user, review: ProductReview) -> bool:
    """The product's owner or a head of product prepares and submits the pack (who submits the product's reviews)."""
    return bool(user and user.is_authenticated and user.is_active) and product_can_submit(
        user=user, product=review.product)


def _locked(review: ProductReview) -> tuple[Product, ProductReview]:
    product = Product.objects.select_for_update().select_related("owner").get(pk=review.product_id)
    review = ProductReview.objects.select_for_update().get(pk=review.pk)
    review.product = product
    return product, review


@transaction.atomic
def review_prepare(*, user, review: ProductReview, data: dict) -> ProductReview:
    """Write the price and value assessment (fields not sent keep their values); audited field by field."""
    product, review = _locked(review)
    if not review_can_prepare(user=user, review=review):
        raise PermissionDenied(_("只有产品负责人或产品主管可以准备定期评审材料。"))
    if review.status != ReviewStatus.PREPARING:
        raise DomainConflict(ReviewError.NOT_PREPARING)
    unknown = set(data) - set(PRICE_VALUE_FIELDS)
    if unknown:
        raise ValidationError({name: _("该字段不能在此修改。") for name in sorted(unknown)})
    before = field_values(review, PRICE_VALUE_FIELDS)
    for name, value in data.items():
        setattr(review, name, (value or "").strip())
    review.full_clean(exclude=["product", "opened_by", "prepared_by", "gate_review", "change", "exit_plan"])
    if field_values(review, PRICE_VALUE_FIELDS) != before:
        review.prepared_by = user
    review.save()
    audit_edit(action=ReviewAuditAction.PREPARED, actor=user, obj=review, before=before, product=product,
               fields=PRICE_VALUE_FIELDS, comment=str(review))
    return review


@transaction.atomic
def review_submit(*, user, review: ProductReview) -> ProductReview:
    """The prepared pack goes to the reviewers: the engine review opens (its snapshot is the pack) and the policy
    rows route it (risk and compliance; senior management too for R4-R5)."""
    from approvals import services as engine_services

    product, review = _locked(review)
    if not review_can_prepare(user=user, review=review):
        raise PermissionDenied(_("只有产品负责人或产品主管可以提交定期评审材料。"))
    if review.status != ReviewStatus.PREPARING:
        raise DomainConflict(ReviewError.NOT_PREPARING)
    if not review.price_value_complete:
        raise DomainConflict(ReviewError.PACK_INCOMPLETE)
    gate = engine_services.review_submit(process=PERIODIC_REVIEW, subject=review, user=user)
    review.submit()
    review.gate_review, review.submitted_at = gate, timezone.now()
    review.save()
    audit_record(action=ReviewAuditAction.SUBMITTED, actor=user, product=product, obj=review,
                 from_value=ReviewStatus.PREPARING, to_value=ReviewStatus.IN_REVIEW)
    return review


# --- The engine's finish ---------------------------------------------------------------------------------------

@transaction.atomic
def review_on_finished(*, review: GateReview, user, outcome: str) -> None:
    """The engine review of a periodic review ended (in the deciding transaction): an approval records the outcome
    and sets its follow-up in motion; a rejection returns the pack to the manager."""
    product_review = ProductReview.objects.select_for_update().get(pk=review.subject_id)
    product = review.product
    product_review.product = product
    if review.status != GateReviewStatus.APPROVED:
        product_review.return_to_manager()
        product_review.save()
        audit_record(action=ReviewAuditAction.RETURNED, actor=user, product=product, obj=product_review,
                     from_value=ReviewStatus.IN_REVIEW, to_value=ReviewStatus.PREPARING)
        notify(recipients=[product.owner, product_review.prepared_by],
               title_code=gettext_noop("定期评审被退回：%(product)s"),
               body_code=gettext_noop("审批部门退回了评审材料，请修改后重新提交。"),
               params={"product": product.code}, url=product_review.get_absolute_url(),
               group=f"periodic-review:{product_review.pk}")
        return
    outcome = outcome or ReviewOutcome.KEEP
    if outcome == ReviewOutcome.REMEDIATE and not review.conditions.exists():
        raise ValidationError({"conditions": ReviewError.ACTIONS_MISSING.label})
    cadence = cadence_for(risk_rating=product.risk_rating, category=product.category)
    product_review.decide()
    product_review.outcome, product_review.decided_at = outcome, timezone.now()
    months = cadence.remediate_months if outcome in SOONER_OUTCOMES else cadence.months
    product_review.next_due = add_months(timezone.localdate(product_review.decided_at), months)
    if outcome == ReviewOutcome.CHANGE:
        product_review.change = _draft_change(review=product_review, user=user)
    elif outcome == ReviewOutcome.EXIT:
        product_review.exit_plan = _draft_exit_plan(review=product_review, user=user)
    product_review.save()
    audit_record(action=ReviewAuditAction.DECIDED, actor=user, product=product, obj=product_review,
                 from_value=ReviewStatus.IN_REVIEW, to_value=outcome,
                 comment=_("下次评审到期日 %(due)s") % {"due": product_review.next_due})
    notify(recipients=[product.owner],
           title_code=gettext_noop("定期评审结论：%(product)s %(outcome)s"),
           body_code=gettext_noop("下次评审到期日 %(due)s。"),
           params={"product": product.code, "outcome": localised(ReviewOutcome(outcome).label),
                   "due": str(product_review.next_due)},
           url=product_review.get_absolute_url(), group=f"periodic-review:{product_review.pk}")


def _follow_up_note(review: ProductReview) -> str:
    return _("定期评审 #%(id)s 的结论") % {"id": review.pk}


def _draft_change(*, review: ProductReview, user):
    """`change`: a draft terms change of the product for its manager to complete (the running one when the
    product already has one), linked to the review."""
    from changes import selectors as change_selectors
    from changes import services as change_services
    from changes.choices import ChangeAuditAction, ChangeReason, ChangeStatus
    from changes.models import OPEN_CHANGE, Change

    product = review.product
    running = None
    if change_selectors.open_change_exists(product=product):  # running, or approved and not yet in force
        scheduled = Q(status=ChangeStatus.APPROVED, version__effective_from__gt=timezone.localdate())
        running = Change.objects.filter(OPEN_CHANGE | scheduled, product=product).order_by("-created_at").first()
    if running is None:
        change_services.terms_version_initial_ensure(product=product)
        running = Change.objects.create(
            product=product, summary=(_("定期评审 #%(id)s：调整产品条款") % {"id": review.pk})[:200],
            reason=ChangeReason.INTERNAL, terms={}, diff=[],
            base_terms=change_services.change_base_terms(product=product), created_by=product.owner)
        audit_record(action=ChangeAuditAction.CREATED, actor=user, product=product, obj=running,
                     to_value=running.summary, comment=_follow_up_note(review))
    audit_record(action=ReviewAuditAction.FOLLOW_UP, actor=user, product=product, obj=review,
                 from_value=ReviewOutcome.CHANGE, to_value=f"#{running.pk}", comment=running.summary)
    notify(recipients=[product.owner], title_code=gettext_noop("定期评审要求变更条款：%(product)s"),
           body_code=gettext_noop("已为您创建条款变更草稿，请填写拟变更的条款后提交审批。"),
           params={"product": product.code}, url=running.get_absolute_url(), group=f"periodic-review:{review.pk}")
    return running


def _draft_exit_plan(*, review: ProductReview, user):
    """`exit`: a draft exit plan of the product for its manager to complete (its existing plan when it has one),
    linked to the review."""
    from exits.choices import ExitAuditAction
    from exits.models import ExitPlan

    product = review.product
    plan = ExitPlan.objects.select_for_update().filter(product=product).first()
    if plan is None:
        plan = ExitPlan.objects.create(product=product, reason=_follow_up_note(review), created_by=product.owner)
        audit_record(action=ExitAuditAction.PLAN_CREATED, actor=user, product=product, obj=plan,
                     comment=_follow_up_note(review))
    audit_record(action=ReviewAuditAction.FOLLOW_UP, actor=user, product=product, obj=review,
                 from_value=ReviewOutcome.EXIT, to_value=f"#{plan.pk}", comment=plan.reason)
    notify(recipients=[product.owner], title_code=gettext_noop("定期评审决定退出：%(product)s"),
           body_code=gettext_noop("已为您创建退出计划草稿，请完善客群、通知日和关闭日后提交退出评审。"),
           params={"product": product.code}, url=reverse("exits:plan-edit", args=[product.pk]),
           group=f"periodic-review:{review.pk}")
    return plan


def change_needs_terms(*, subject, target: str) -> dict[str, list[str]]:
    """A precondition on the `change` process: a draft a periodic review opened has no terms until its manager
    writes them; it cannot go to review empty (any change without a changed term is refused the same way)."""
    if getattr(subject, "terms", None) == {}:
        return {"terms": [_("没有任何条款发生变化。")]}
    return {}


# --- Overdue -------------------------------------------------------------------------------------------------------

@transaction.atomic
def reviews_cancel_for(*, product: Product, user) -> int:
    """A product that left operation has no periodic review running: its open review is cancelled (audited, the
    owner told), and the pack in front of the reviewers is withdrawn from the engine. Returns how many."""
    from approvals.services import review_withdraw

    cancelled = 0
    for review in (ProductReview.objects.select_for_update(of=("self",)).select_related("gate_review")
                   .filter(product=product, status__in=OPEN_STATUSES)):
        before = review.status
        if review.gate_review is not None and review.gate_review.status == GateReviewStatus.PENDING:
            review_withdraw(review=review.gate_review, user=user, reason=_("产品已不在经营阶段，定期评审取消。"))
        review.cancel()
        review.save()
        audit_record(action=ReviewAuditAction.CANCELLED, actor=user, product=product, obj=review,
                     from_value=before, to_value=review.status, comment=product.get_stage_display())
        notify(recipients=[product.owner], title_code=gettext_noop("定期评审已取消：%(product)s"),
               body_code=gettext_noop("产品已不在经营阶段。"), params={"product": product.code},
               url=review.get_absolute_url(), group=f"periodic-review:{review.pk}")
        cancelled += 1
    return cancelled


def review_cancel_on_stage_move(*, review: GateReview, user) -> None:
    """Stage-gate hook (approved): a product moved out of operation cancels its running periodic review."""
    if review.product.stage != LifecycleStage.OPERATION:
        reviews_cancel_for(product=review.product, user=user)


def heads_of_product():
    return get_user_model().objects.filter(role=Role.HEAD_OF_PRODUCT, is_active=True)


@transaction.atomic
def reviews_escalate_overdue(*, today: date | None = None) -> int:
    """Reviews still running after their due date go to the heads of product and senior management, once each."""
    today = today or timezone.localdate()
    rows = (ProductReview.objects.select_for_update(of=("self",)).select_related("product__owner")
            .filter(status__in=OPEN_STATUSES, due_date__lt=today, escalated_at__isnull=True).order_by("due_date"))
    recipients = [*heads_of_product(), *senior_managers()]
    escalated = 0
    for review in rows:
        review.escalated_at = timezone.now()
        review.save(update_fields=["escalated_at"])
        escalated += 1
        audit_record(action=ReviewAuditAction.ESCALATED, product=review.product, obj=review,
                     from_value=review.status, to_value=str(review.due_date))
        notify(recipients=[*recipients, review.product.owner],
               title_code=gettext_noop("定期评审逾期：%(product)s"),
               body_code=gettext_noop("到期日 %(due)s 已过，评审仍处于「%(status)s」。"),
               params={"product": review.product.code, "due": str(review.due_date),
                       "status": localised(review.get_status_display)},
               url=review.get_absolute_url(), group=f"periodic-review:{review.pk}")
    return escalated


# --- Policy (admin) ----------------------------------------------------------------------------------------------

@transaction.atomic
def cadence_policy_save(*, user, obj: CadencePolicy) -> CadencePolicy:
    """Save a cadence row, validated and audited in one transaction."""
    created = obj._state.adding
    obj.full_clean()
    obj.save()
    audit_record(action=ReviewAuditAction.POLICY_CHANGED, actor=user, obj=obj,
                 from_value=_("新增") if created else _("修改"), to_value=str(obj)[:200],
                 comment=f"{obj._meta.verbose_name}: {obj}")
    return obj


@transaction.atomic
def cadence_policy_delete(*, user, objs) -> None:
    for obj in objs:
        audit_record(action=ReviewAuditAction.POLICY_CHANGED, actor=user, obj=obj, from_value=_("删除"),
                     to_value=str(obj)[:200], comment=f"{obj._meta.verbose_name}: {obj}")
        obj.delete()
