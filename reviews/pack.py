"""The evidence pack of a periodic review: what reviewers decide on, frozen in the engine review's snapshot when the
manager submits it. Each section is plain JSON (names in both languages where they come from data), shown by its
own template (registered in ReviewsConfig.ready), never as a dump.

The period runs from the last decided review (the launch without one) to the day the pack is built.
"""
from collections import Counter
from datetime import date

from django.db.models import Count, Q, Sum
from django.utils import timezone

from approvals.models import Condition
from changes.models import Change
from complaints.choices import OPEN_STATUSES as COMPLAINT_OPEN
from complaints.models import Complaint
from kpis.choices import ACTIVE_ALERT_STATUSES, AlertKind, Granularity
from kpis.models import Alert, DimensionObservation, Metric, Snapshot
from kpis.target_market import SALES_METRICS
from risks.choices import ACTIVE_STATUSES as RISK_ACTIVE
from risks.models import Risk

# The KPI trend shows at most this many months (the period may be two years long).
MAX_MONTHS = 24
MAX_ROWS = 50


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _name(user) -> str:
    return str(user) if user else ""


def header_section(*, review) -> dict:
    product = review.product
    last = review.product.periodic_reviews.filter(status="decided").exclude(pk=review.pk).order_by(
        "-decided_at").first()
    return {
        "review_id": review.pk, "trigger": review.trigger, "reason": review.reason, "due_date": _iso(review.due_date),
        "period_start": _iso(review.period_start), "period_end": _iso(timezone.localdate()),
        "risk_rating": product.risk_rating, "category": product.category, "owner": _name(product.owner),
        "opened_by": _name(review.opened_by), "opened_at": _iso(review.opened_at),
        "last_review": {"id": last.pk, "outcome": last.outcome, "decided_at": _iso(last.decided_at)} if last else None,
    }


def kpi_section(*, product, start: date) -> dict:
    """Month by month over the period: value, target and status of each metric with figures, with the latest."""
    first = start.replace(day=1)
    snaps = (Snapshot.objects.filter(product=product, granularity=Granularity.MONTH, period_start__gte=first)
             .select_related("metric").order_by("metric__display_order", "metric__code", "period_start"))
    by_metric: dict[int, dict] = {}
    for snap in snaps:
        metric = snap.metric
        item = by_metric.setdefault(metric.pk, {
            "code": metric.code, "name": metric.name, "name_en": metric.name_en, "unit": metric.unit,
            "unit_en": metric.unit_en, "lower_better": metric.is_lower_better, "decimals": metric.decimals,
            "points": []})
        item["points"].append({"period": snap.period, "value": snap.value, "target": snap.target_value,
                               "attainment": snap.attainment_pct, "status": snap.status})
    metrics = []
    for item in by_metric.values():
        item["points"] = item["points"][-MAX_MONTHS:]
        latest = item["points"][-1]
        statuses = Counter(p["status"] for p in item["points"])
        item.update(latest=latest, red_months=statuses.get("red", 0), amber_months=statuses.get("amber", 0),
                    months=len(item["points"]))
        metrics.append(item)
    return {"metrics": metrics}


def complaints_section(*, product, start: date) -> dict:
    rows = Complaint.objects.filter(product=product, received_on__gte=start)
    totals = rows.aggregate(total=Count("id"), open=Count("id", filter=Q(status__in=COMPLAINT_OPEN)),
                            overdue=Count("id", filter=Q(status__in=COMPLAINT_OPEN,
                                                         due_on__lt=timezone.localdate())))
    by_category = list(rows.values("category").annotate(n=Count("id")).order_by("-n", "category"))
    by_cause = list(rows.exclude(root_cause="").values("root_cause").annotate(n=Count("id"))
                    .order_by("-n", "root_cause"))
    return {**totals, "by_category": [{"category": r["category"], "count": r["n"]} for r in by_category],
            "by_root_cause": [{"root_cause": r["root_cause"], "count": r["n"]} for r in by_cause],
            "unexplained": rows.filter(root_cause="").count()}


def target_market_section(*, product, start: date) -> dict:
    """Sales (new customers and volume) by segment and by channel over the period, each flagged when outside the
    approved market: an excluded segment, or a channel the product is not sold through."""
    excluded = set(product.excluded_segments or [])
    channels = set(product.sales_channels.values_list("code", flat=True))
    metrics = dict(Metric.objects.filter(code__in=SALES_METRICS).values_list("pk", "code"))
    rows = DimensionObservation.objects.filter(product=product, metric_id__in=list(metrics), date__gte=start)
    segments: dict[str, dict] = {}
    by_channel: dict[str, dict] = {}
    for dimension, target, found in (("segment", segments, rows.exclude(segment="")),
                                     ("channel", by_channel, rows.exclude(channel=""))):
        for row in found.values(dimension, "metric_id").annotate(total=Sum("value")).order_by(dimension):
            item = target.setdefault(row[dimension], {"member": row[dimension], "new_customers": 0.0,
                                                      "sales_volume": 0.0})
            item[metrics[row["metric_id"]]] = round(row["total"] or 0.0, 2)
    for item in segments.values():
        item["outside"] = item["member"] in excluded
    for item in by_channel.values():
        item["outside"] = item["member"] not in channels
    market_alerts = Alert.objects.filter(product=product, kind=AlertKind.TARGET_MARKET,
                                         status__in=ACTIVE_ALERT_STATUSES).count()
    return {"target_market": product.target_market, "excluded_market": product.excluded_market,
            "target_segment": product.customer_segment, "excluded_segments": sorted(excluded),
            "channels": sorted(channels), "segments": list(segments.values()), "by_channel": list(by_channel.values()),
            "open_alerts": market_alerts}


def risks_section(*, product) -> dict:
    today = timezone.localdate()
    risks = (Risk.objects.filter(product=product, status__in=RISK_ACTIVE).select_related("owner")
             .order_by("-residual_score", "review_due", "id")[:MAX_ROWS])
    items = [{"id": r.pk, "title": r.title, "category": r.category, "status": r.status,
              "residual_level": r.residual_level, "residual_score": r.residual_score, "owner": _name(r.owner),
              "review_due": _iso(r.review_due), "overdue": r.review_due < today} for r in risks]
    return {"risks": items, "overdue_reviews": sum(1 for r in items if r["overdue"])}


def alerts_section(*, product) -> dict:
    alerts = (Alert.objects.filter(product=product, status__in=ACTIVE_ALERT_STATUSES).select_related("metric")
              .order_by("-opened_at")[:MAX_ROWS])
    return {"alerts": [{"id": a.pk, "kind": a.kind, "metric": a.metric.name, "metric_en": a.metric.name_en,
                        "period": a.period, "value": a.value, "member": a.member, "dimension": a.dimension,
                        "status": a.status, "opened_at": _iso(a.opened_at.date())} for a in alerts]}


def since_last_section(*, product, start: date) -> dict:
    """Terms changes (and their pilots) and approval conditions since the period began."""
    changes = (Change.objects.filter(product=product, created_at__date__gte=start).order_by("created_at", "id")
               [:MAX_ROWS])
    conditions = (Condition.objects.filter(product=product, created_at__date__gte=start).select_related("owner")
                  .order_by("due", "id")[:MAX_ROWS])
    return {
        "changes": [{"id": c.pk, "summary": c.summary, "status": c.status, "created": _iso(c.created_at.date()),
                     "pilot": c.pilot, "pilot_start": _iso(c.pilot_start), "pilot_end": _iso(c.pilot_end)}
                    for c in changes],
        "conditions": [{"id": c.pk, "action": c.action, "department": c.department, "owner": _name(c.owner),
                        "due": _iso(c.due), "status": c.status} for c in conditions],
    }


def price_value_section(*, review) -> dict:
    return {"price_paid": review.price_paid, "value_received": review.value_received,
            "comparison": review.comparison, "conclusion": review.conclusion,
            "prepared_by": _name(review.prepared_by)}


def build_pack(*, review) -> dict:
    """Every section of the pack, as the engine stores it in the review's snapshot."""
    product, start = review.product, review.period_start
    return {
        "product": {"code": product.code, "name": product.name, "category": product.category,
                    "stage": product.stage},
        "periodic_review": header_section(review=review),
        "price_value": price_value_section(review=review),
        "kpi_trend": kpi_section(product=product, start=start),
        "complaints_summary": complaints_section(product=product, start=start),
        "market_fit": target_market_section(product=product, start=start),
        "open_risks": risks_section(product=product),
        "open_alerts": alerts_section(product=product),
        "since_last_review": since_last_section(product=product, start=start),
    }
