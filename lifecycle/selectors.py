"""Reads for pages and the API, each in a constant number of queries."""
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from core.models import AuditEntry
from products.models import Product

from .choices import DeliverableStatus, GateReviewStatus, StepStatus
from .models import ApprovalStep, Deliverable, GateReview


def gate_review_list() -> QuerySet[GateReview]:
    steps = ApprovalStep.objects.select_related("decided_by").order_by("position", "id")
    return GateReview.objects.select_related("product", "submitted_by", "subject_type").prefetch_related(
        Prefetch("steps", queryset=steps))


def pending_reviews(*, product, scope: str | None) -> QuerySet[GateReview]:
    """The one selector of "what is pending on this subject": the product's reviews still being decided, of one
    lock scope (engine.PRODUCT_TERMS: the stage gate and terms changes) or of any process (`scope=None`). Guards
    (owner changes, terms edits, deliverable reopening, exit plans) ask it, each naming the scope it means."""
    reviews = GateReview.objects.filter(product=product, status=GateReviewStatus.PENDING)
    return reviews if scope is None else reviews.filter(lock_key__startswith=f"{scope}:")


def review_pending(*, product, scope: str | None) -> bool:
    return pending_reviews(product=product, scope=scope).exists()


def open_review_for(*, product: Product, scope: str | None) -> GateReview | None:
    return gate_review_list().filter(pk__in=pending_reviews(product=product, scope=scope)).first()


def deliverable_list() -> QuerySet[Deliverable]:
    return Deliverable.objects.select_related("product", "owner", "template", "completed_by",
                                              "waiver_requested_by")


def product_deliverables(*, product: Product, stage: str | None = None) -> QuerySet[Deliverable]:
    return deliverable_list().filter(product=product, stage=stage or product.stage)


def steps_waiting_for(*, user) -> QuerySet[ApprovalStep]:
    """Open steps of the user's own departments (a delegation never lends a department) that four-eyes lets them
    decide; overdue first."""
    return (
        ApprovalStep.objects.select_related("review__product__owner", "review__submitted_by")
        .filter(department__in=list(user.department_codes), status=StepStatus.PENDING,
                review__status=GateReviewStatus.PENDING)
        .exclude(review__submitted_by=user).exclude(review__product__owner=user)
        .order_by("-overdue", "due_date", "id")
    )


def product_history(*, product: Product | None = None, user=None) -> QuerySet[AuditEntry]:
    """A product's audit entries; given a user, only those core.roles lets them read (the trail's one rule)."""
    from core.roles import audit_visible_filter

    entries = AuditEntry.objects.select_related("actor", "product")
    if user is not None:
        entries = entries.filter(audit_visible_filter(user=user))
    return entries.filter(product=product) if product is not None else entries


def history_export_rows(entries: QuerySet[AuditEntry]):
    """One tuple per entry, in the order of the history export's headers: local time, names and labels (as the
    screen shows them), not UTC and raw codes."""
    from core.labels import describe_changes

    system = gettext("系统")
    for e in entries.iterator(chunk_size=1000):
        describe_changes([e])
        yield (e.pk, timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
               str(e.actor) if e.actor else system, e.get_action_display(), e.from_text, e.to_text, e.comment,
               e.entry_hash)


def products_managed_by(*, user) -> QuerySet[Product]:
    """The user's products with their open review and overdue deliverable counts."""
    today = timezone.localdate()
    open_review = GateReview.objects.filter(product=OuterRef("pk"), status=GateReviewStatus.PENDING)
    return (
        Product.objects.filter(owner=user).select_related("owner")
        .annotate(
            has_open_review=Exists(open_review),
            open_deliverables=Count("deliverables", filter=Q(deliverables__status=DeliverableStatus.OPEN,
                                                              deliverables__stage=F("stage"))),
            overdue_deliverables=Count("deliverables", filter=Q(deliverables__status=DeliverableStatus.OPEN,
                                                                 deliverables__stage=F("stage"),
                                                                 deliverables__due_date__lt=today)),
        )
        .prefetch_related(Prefetch("gate_reviews", to_attr="open_reviews", queryset=gate_review_list().filter(
            status=GateReviewStatus.PENDING)))
        .order_by("code")
    )


def overdue_steps() -> QuerySet[ApprovalStep]:
    """Open steps past their due date, for the portfolio dashboard."""
    return (ApprovalStep.objects.select_related("review__product")
            .filter(status=StepStatus.PENDING, review__status=GateReviewStatus.PENDING,
                    due_date__lt=timezone.localdate())
            .order_by("due_date", "id"))
