"""Reads of the register: lists with the computed `overdue` flag, the heatmap aggregate, portfolio panels."""
from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.utils import timezone

from .choices import ACTIVE_STATUSES, RiskLevel
from .models import Risk, RiskAssessment

BASES = {"inherent": ("likelihood", "impact"), "residual": ("residual_likelihood", "residual_impact")}


def with_overdue(queryset: QuerySet) -> QuerySet:
    """`overdue`: an active risk whose review date has passed (computed in the database, so it filters)."""
    today = timezone.localdate()
    return queryset.annotate(overdue=Case(When(Q(status__in=ACTIVE_STATUSES, review_due__lt=today), then=Value(True)),
                                          default=Value(False), output_field=BooleanField()))


def risk_base() -> QuerySet:
    return with_overdue(Risk.objects.all())


def risk_list() -> QuerySet:
    return risk_base().select_related("product", "owner", "metric", "accepted_by").prefetch_related(
        "controls__owner")


def heatmap(*, queryset: QuerySet, basis: str) -> list[list[int]]:
    """cells[likelihood-1][impact-1] = how many active risks of `queryset` sit in that cell (one query)."""
    likelihood, impact = BASES[basis]
    cells = [[0] * 5 for _ in range(5)]
    rows = (queryset.filter(status__in=ACTIVE_STATUSES).order_by().values(likelihood, impact)
            .annotate(n=Count("id")))
    for row in rows:
        cells[row[likelihood] - 1][row[impact] - 1] = row["n"]
    return cells


def top_residual(*, queryset: QuerySet, limit: int = 10) -> list[Risk]:
    return list(queryset.filter(status__in=ACTIVE_STATUSES, residual_level__in=[RiskLevel.HIGH, RiskLevel.CRITICAL])
                .prefetch_related(None).select_related("product", "owner")
                .order_by("-residual_score", "-inherent_score", "id")[:limit])


def overdue_reviews(*, queryset: QuerySet, limit: int = 10) -> list[Risk]:
    return list(queryset.filter(overdue=True).prefetch_related(None).select_related("product", "owner")
                .order_by("review_due", "id")[:limit])


def risk_assessments(*, risk: Risk) -> QuerySet:
    return RiskAssessment.objects.filter(risk=risk).select_related("assessed_by").order_by("assessed_at", "id")


def portfolio_counts() -> dict:
    """Active risks, those awaiting senior management, critical residual ones and overdue reviews (one query)."""
    from .choices import RiskStatus

    active = Q(status__in=ACTIVE_STATUSES)
    return risk_base().aggregate(
        active=Count("id", filter=active),
        pending=Count("id", filter=Q(status=RiskStatus.PENDING_ACCEPTANCE)),
        critical=Count("id", filter=active & Q(residual_level=RiskLevel.CRITICAL)),
        needs_review=Count("id", filter=Q(status=RiskStatus.NEEDS_REVIEW)),
        overdue=Count("id", filter=active & Q(review_due__lt=timezone.localdate())))


def acceptance_reviews(*, risk: Risk) -> QuerySet:
    """The risk's acceptance reviews in the approval engine, newest first, with their steps."""
    from lifecycle.models import GateReview

    from .choices import RISK_ACCEPTANCE

    return (GateReview.objects.filter(process=RISK_ACCEPTANCE, subject_id=risk.pk)
            .select_related("submitted_by").prefetch_related("steps__decided_by", "steps__on_behalf_of")
            .order_by("-submitted_at", "-id"))
