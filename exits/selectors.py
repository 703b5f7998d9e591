"""Reads of the exit runbook: segment progress, totals, the burn-down series, the portfolio and arrivals."""
from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from products.choices import LifecycleStage
from products.models import Product

from .choices import FINISHED_TASK_STATUSES
from .models import ExitPlan, ExitProgress, ExitSegment, ExitTask


def _latest(field: str):
    latest = ExitProgress.objects.filter(segment=OuterRef("pk")).order_by("-date").values(field)[:1]
    return Coalesce(Subquery(latest, output_field=IntegerField()), Value(0))


def segments_with_progress(queryset: QuerySet | None = None) -> QuerySet:
    """Segments annotated with their latest cumulative `migrated` and `closed` (0 before any report)."""
    return (queryset if queryset is not None else ExitSegment.objects.all()).annotate(
        migrated=_latest("migrated"), closed=_latest("closed"))


def _pct(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def plan_segments(*, plan: ExitPlan) -> list[ExitSegment]:
    """The plan's segments with migrated, closed, remaining and migrated_pct (one query)."""
    segments = list(segments_with_progress(plan.segments.order_by("position", "id")))
    for segment in segments:
        segment.remaining = max(segment.customers - segment.migrated - segment.closed, 0)
        segment.migrated_pct = _pct(segment.migrated, segment.customers)
    return segments


def totals(segments: list[ExitSegment]) -> dict:
    customers = sum(s.customers for s in segments)
    migrated = sum(s.migrated for s in segments)
    closed = sum(s.closed for s in segments)
    return {"customers": customers, "migrated": migrated, "closed": closed,
            "remaining": sum(s.remaining for s in segments), "migrated_pct": _pct(migrated, customers)}


def plan_detail(*, product: Product) -> ExitPlan | None:
    """The product's plan with what its page and the API show: segments, totals, tasks and evidence."""
    plan = (ExitPlan.objects.select_related("product", "successor").prefetch_related(
        "snapshots__metric", "alerts__metric", "requirements").filter(product=product).first())
    if plan is None:
        return None
    plan.segment_rows = plan_segments(plan=plan)
    plan.totals = totals(plan.segment_rows)
    plan.task_rows = list(plan_tasks(plan=plan))
    return plan


def plan_tasks(*, plan: ExitPlan) -> QuerySet:
    return plan.tasks.select_related("owner", "completed_by", "template").order_by(
        "due_date", "template__position", "id")


def task_list() -> QuerySet:
    return ExitTask.objects.select_related("plan__product", "owner", "completed_by", "template")


def burndown(*, plan: ExitPlan, segments: list[ExitSegment]) -> dict:
    """Remaining customers per segment on every reported day (carried forward), from the notice date on, and
    the ideal line from all customers at the notice date to none at the close date."""
    rows = ExitProgress.objects.filter(segment__plan=plan).order_by("date").values_list(
        "segment_id", "date", "migrated", "closed")
    by_segment: dict[int, dict[date, int]] = {}
    days: set[date] = set()
    for segment_id, day, migrated, closed in rows:
        by_segment.setdefault(segment_id, {})[day] = migrated + closed
        days.add(day)
    start = min([d for d in (plan.notice_date, min(days, default=None)) if d is not None], default=None)
    if start is not None:
        days.add(start)
    axis = sorted(days)
    series = []
    for segment in segments:
        done, values = 0, []
        for day in axis:
            done = by_segment.get(segment.pk, {}).get(day, done)
            values.append(max(segment.customers - done, 0))
        series.append({"name": segment.name, "values": values})
    return {"dates": [d.isoformat() for d in axis], "series": series,
            "close_date": plan.close_date.isoformat() if plan.close_date else None,
            "notice_date": plan.notice_date.isoformat() if plan.notice_date else None,
            "total": sum(s.customers for s in segments),
            "remaining": [sum(s["values"][i] for s in series) for i in range(len(axis))]}


def exit_portfolio(*, today: date | None = None) -> list[Product]:
    """Products in exit (retirement) with their plan's customers, remaining customers, days to close and open
    tasks: three queries whatever their number."""
    today = today or timezone.localdate()
    products = list(Product.objects.filter(stage=LifecycleStage.RETIREMENT).select_related(
        "owner", "exit_plan__successor").annotate(
        exit_open_tasks=Count("exit_plan__tasks", filter=~Q(exit_plan__tasks__status__in=FINISHED_TASK_STATUSES)),
        exit_tasks=Count("exit_plan__tasks")))
    segments = segments_with_progress(ExitSegment.objects.filter(plan__product__in=[p.pk for p in products]))
    by_plan: dict[int, list] = {}
    for segment in segments.values("plan_id", "customers", "migrated", "closed"):
        by_plan.setdefault(segment["plan_id"], []).append(segment)
    for product in products:
        plan = getattr(product, "exit_plan", None)
        rows = by_plan.get(plan.pk, []) if plan else []
        product.exit_customers = sum(r["customers"] for r in rows)
        product.exit_remaining = sum(max(r["customers"] - r["migrated"] - r["closed"], 0) for r in rows)
        product.exit_days_to_close = days_to_close(plan, today)
    return sorted(products, key=lambda p: (p.exit_days_to_close is None, p.exit_days_to_close or 0, p.code))


def days_to_close(plan: ExitPlan | None, today: date | None = None) -> int | None:
    if plan is None or plan.close_date is None:
        return None
    return (plan.close_date - (today or timezone.localdate())).days


def arrivals(*, product: Product) -> list[ExitSegment]:
    """Segments of the products this one replaces, with the customers migrated so far."""
    segments = segments_with_progress(ExitSegment.objects.filter(plan__successor=product).select_related(
        "plan__product").order_by("plan__product__code", "position", "id"))
    return list(segments)


def evidence_items(plan) -> list[dict]:
    """Each cited record with what it showed: a snapshot's value and status, an alert's value, a requirement's
    status (the prefetched relations: no query per item)."""
    items = []
    for s in plan.snapshots.all():
        items.append({"kind": "snapshots", "id": s.pk, "label": f"{s.metric.display_name} {s.period}",
                      "value": None if s.value is None else f"{s.value:g}", "status": s.status,
                      "url": reverse("kpis:product", args=[plan.product_id])})
    for a in plan.alerts.all():
        items.append({"kind": "alerts", "id": a.pk, "label": f"{a.metric.display_name} {a.period}",
                      "value": None if a.value is None else f"{a.value:g}", "status": a.status,
                      "url": a.get_absolute_url()})
    for r in plan.requirements.all():
        items.append({"kind": "requirements", "id": r.pk, "label": r.title, "value": r.get_priority_display(),
                      "status": r.status, "url": r.get_absolute_url()})
    return items
