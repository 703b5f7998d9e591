"""What a portfolio pack reports for a period, computed set-based and kept as plain JSON in the pack (codes, not
labels: the renderers name them in the pack's language)."""
from datetime import date, datetime, time

from django.db.models import Avg, Count, F, Max, OuterRef, Q, Subquery
from django.utils import timezone

from changes.models import Change
from core.models import AuditVerification
from exits.models import ExitPlan, ExitProgress, ExitSegment
from kpis.models import Alert
from lifecycle.choices import STAGE_GATE, ConditionStatus
from lifecycle.models import Condition, GateReview
from products.models import Product
from risks.models import Risk


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (datetime.combine(start, time.min, tzinfo=tz), datetime.combine(end, time.max, tzinfo=tz))


def portfolio_figures(*, start: date, end: date) -> dict:
    """The figures of [start, end] as they stand when the pack is built (just after the period closed)."""
    since, until = _bounds(start, end)
    decided = GateReview.objects.filter(decided_at__range=(since, until))
    lead = F("decided_at") - F("submitted_at")
    return {
        "period": [start.isoformat(), end.isoformat()],
        "stages": dict(Product.objects.values_list("stage").annotate(n=Count("id")).order_by("stage")),
        "stage_changes": [
            {"code": c, "name": n, "from": f, "to": t, "day": timezone.localdate(d).isoformat()}
            for c, n, f, t, d in decided.filter(process=STAGE_GATE, status="approved").order_by(
                "decided_at").values_list("product__code", "product__name", "from_stage", "to_stage", "decided_at")],
        "lead_times": [
            {"process": p, "count": n, "avg_days": round(a.total_seconds() / 86400, 1),
             "max_days": round(m.total_seconds() / 86400, 1)}
            for p, n, a, m in decided.values_list("process").annotate(
                n=Count("id"), a=Avg(lead), m=Max(lead)).order_by("process")],
        "open_alerts": [
            {"code": c, "metric": m, "metric_en": me, "period": p, "value": v}
            for c, m, me, p, v in Alert.objects.filter(status__in=["open", "acknowledged"]).order_by(
                "product__code", "metric__code").values_list("product__code", "metric__name", "metric__name_en",
                                                             "period", "value")],
        "risks": [
            {"code": c, "title": t, "level": lv, "status": s}
            for c, t, lv, s in Risk.objects.filter(residual_level__in=["high", "critical"]).exclude(
                status="closed").order_by("product__code", "id").values_list(
                "product__code", "title", "residual_level", "status")],
        "changes": [
            {"code": c, "summary": s, "status": st, "pilot_start": _iso(ps), "pilot_end": _iso(pe)}
            for c, s, st, ps, pe in Change.objects.filter(created_at__lte=until).exclude(status="draft").filter(
                Q(closed_at__isnull=True) | Q(closed_at__gte=since)).order_by("product__code", "id").values_list(
                "product__code", "summary", "status", "pilot_start", "pilot_end")],
        "exits": _exits(),
        "overdue_conditions": _overdue_conditions(end),
        "audit": _audit(),
    }


def _iso(day):
    return day.isoformat() if day else None


def _overdue_conditions(end: date) -> list[dict]:
    """Approval conditions due by the period's last day and still open when the pack is built."""
    rows = Condition.objects.filter(status=ConditionStatus.OPEN, due__lte=end).order_by(
        "due", "product__code", "id").values_list(
        "product__code", "action", "department", "owner__username", "owner__last_name", "owner__first_name", "due")
    return [{"code": code, "action": action, "department": department,
             "owner": f"{last}{first}".strip() or username, "due": due.isoformat()}
            for code, action, department, username, last, first, due in rows]


def _exits() -> list[dict]:
    """Each exit plan with its customers and those still holding the product (latest reported day per segment)."""
    latest = ExitProgress.objects.filter(segment=OuterRef("pk")).order_by("-date")
    segments = ExitSegment.objects.annotate(migrated=Subquery(latest.values("migrated")[:1]),
                                            closed=Subquery(latest.values("closed")[:1])).values_list(
        "plan_id", "customers", "migrated", "closed")
    totals: dict[int, list[int]] = {}
    for plan_id, customers, migrated, closed in segments:
        total = totals.setdefault(plan_id, [0, 0])
        total[0] += customers
        total[1] += max(customers - (migrated or 0) - (closed or 0), 0)
    return [{"code": code, "notice": _iso(notice), "close": _iso(close), "customers": totals.get(pk, [0, 0])[0],
             "remaining": totals.get(pk, [0, 0])[1]}
            for pk, code, notice, close in ExitPlan.objects.order_by("close_date", "id").values_list(
                "id", "product__code", "notice_date", "close_date")]


def _audit() -> dict | None:
    last = AuditVerification.objects.order_by("-ran_at", "-id").first()
    if last is None:
        return None
    return {"ran_at": timezone.localtime(last.ran_at).strftime("%Y-%m-%d %H:%M"), "entries": last.entries_checked,
            "intact": last.intact}
