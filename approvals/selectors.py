"""Reads of the approval engine for pages and the API, each in a constant number of queries."""
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from products.models import Product

from .choices import GateReviewStatus, StepStatus
from .models import ApprovalStep, GateReview


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


def steps_waiting_for(*, user) -> QuerySet[ApprovalStep]:
    """Open steps of the user's own departments (a delegation never lends a department) that four-eyes lets them
    decide, i.e. of reviews the user is not a maker of (the process's maker set, recorded on the review); overdue
    first."""
    return (
        ApprovalStep.objects.select_related("review__product__owner", "review__submitted_by")
        .filter(department__in=list(user.department_codes), status=StepStatus.PENDING,
                review__status=GateReviewStatus.PENDING)
        .exclude(review__submitted_by=user).exclude(review__product__owner=user)
        .exclude(review__in=GateReview.makers.through.objects.filter(user=user).values("gatereview"))
        .order_by("-overdue", "due_date", "id")
    )


def overdue_steps() -> QuerySet[ApprovalStep]:
    """Open steps past their due date, for the portfolio dashboard."""
    return (ApprovalStep.objects.select_related("review__product")
            .filter(status=StepStatus.PENDING, review__status=GateReviewStatus.PENDING,
                    due_date__lt=timezone.localdate())
            .order_by("due_date", "id"))
