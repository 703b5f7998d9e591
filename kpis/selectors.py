"""Reads of the KPI app: lists, dashboard data, product series and scorecards, in a constant number of queries."""
from collections import defaultdict
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, F, FloatField, Q, QuerySet, Sum, When
from django.utils import timezone
from django.utils.translation import gettext as _

from core.roles import is_portfolio_manager, is_product_manager, is_senior_management
from products.choices import LifecycleStage
from products.models import Product

from .choices import ACTIVE_ALERT_STATUSES, Granularity, SnapshotStatus
from .models import Alert, Metric, Snapshot
from .periods import Period, add_months

# Products that have customers and therefore figures.
LIVE_STAGES = [LifecycleStage.MARKETING, LifecycleStage.OPERATION, LifecycleStage.RETIREMENT]
# Over-achievement counts up to this attainment, so one metric cannot hide the others in a score.
ATTAINMENT_CAP = 120.0
Q_RED = Q(status=SnapshotStatus.RED)


def snapshot_list() -> QuerySet[Snapshot]:
    return Snapshot.objects.select_related("product", "metric")


def alert_list() -> QuerySet[Alert]:
    return Alert.objects.select_related("product__owner", "metric", "acknowledged_by", "resolved_by")


def latest_period(granularity: str = Granularity.MONTH) -> Period | None:
    """The latest period with figures of the key metrics (what the portfolio shows): a period holding only a
    by-product figure, such as requirements delivered today, is not yet a month to judge products by."""
    start = (Snapshot.objects.filter(granularity=granularity, metric__is_key=True).order_by("-period_start")
             .values_list("period_start", flat=True).first())
    return Period(granularity, start) if start else None


def portfolio_dashboard() -> dict:
    """Stage funnel, category split, heat table of live products × key KPIs for the latest month, open alerts."""
    stages = dict(Product.objects.values_list("stage").annotate(n=Count("id")).order_by())
    categories = dict(Product.objects.values_list("category").annotate(n=Count("id")).order_by())
    key_metrics = list(Metric.objects.filter(is_key=True))
    period = latest_period()
    # Only what the heat table shows: a thousand full products with their owners cost more than the page.
    products = list(Product.objects.filter(stage__in=LIVE_STAGES).only("id", "code", "name", "name_en", "stage")
                    .order_by("code"))
    cells = defaultdict(dict)
    if period:
        # (status, value) pairs, not model instances: the table has a cell per product and key metric.
        for product_id, metric_id, status, value in Snapshot.objects.filter(
                granularity=Granularity.MONTH, period_start=period.start, metric__is_key=True,
                product__stage__in=LIVE_STAGES).values_list("product_id", "metric_id", "status", "value"):
            cells[product_id][metric_id] = (status, value)
    heat = [{"product": p, "cells": [cells[p.pk].get(m.pk, (None, None)) for m in key_metrics]} for p in products]
    return {
        "stage_counts": [(stage, stages.get(stage, 0)) for stage in LifecycleStage],
        "category_counts": [(c, n) for c, n in categories.items()],
        "key_metrics": key_metrics, "period": period, "heat": heat,
        "open_alerts": list(alert_list().filter(status__in=ACTIVE_ALERT_STATUSES)[:10]),
        "open_alert_count": Alert.objects.filter(status__in=ACTIVE_ALERT_STATUSES).count(),
    }


def product_series(*, product: Product, months: int = 24, end: date | None = None) -> dict:
    """Month snapshots of the last `months` months per metric, for the charts and the table."""
    latest = latest_period()
    last_start = end or (latest.start if latest else timezone.localdate().replace(day=1))
    first = add_months(last_start, -(months - 1))
    snaps = list(snapshot_list().filter(product=product, granularity=Granularity.MONTH,
                                        period_start__gte=first, period_start__lte=last_start)
                 .order_by("metric__display_order", "metric__code", "period_start"))
    by_metric = {}
    for snap in snaps:
        by_metric.setdefault(snap.metric_id, {"metric": snap.metric, "rows": []})["rows"].append(snap)
    return {"series": list(by_metric.values()), "snapshots": snaps}


def product_latest_statuses(*, product: Product) -> list[Snapshot]:
    """The latest month's snapshots of a product (the product page's KPI section)."""
    start = (Snapshot.objects.filter(product=product, granularity=Granularity.MONTH).order_by("-period_start")
             .values_list("period_start", flat=True).first())
    if start is None:
        return []
    return list(Snapshot.objects.filter(product=product, granularity=Granularity.MONTH, period_start=start)
                .select_related("metric").order_by("metric__display_order"))


def key_statuses_by_product(*, product_ids) -> dict[int, list[Snapshot]]:
    """Each product's key-metric snapshots of the latest month that has any (what a reviewer sees beside a step),
    in two queries whatever the number of products."""
    period = latest_period()
    if period is None or not product_ids:
        return {}
    by_product: dict[int, list[Snapshot]] = {}
    for snap in (Snapshot.objects.filter(product_id__in=set(product_ids), granularity=Granularity.MONTH,
                                         period_start=period.start, metric__is_key=True)
                 .select_related("metric").order_by("metric__display_order", "metric__code")):
        by_product.setdefault(snap.product_id, []).append(snap)
    return by_product


def default_scorecard_quarter() -> Period:
    """The last completed quarter: managers are evaluated on whole quarters."""
    from django.utils import timezone

    from .periods import period_containing

    return period_containing(timezone.localdate(), Granularity.QUARTER).previous()


def scorecard_can_view_all(user) -> bool:
    return is_portfolio_manager(user) or is_senior_management(user)


def scorecard_can_view(user) -> bool:
    """Those who see every manager, and product managers (their own line)."""
    return user.is_authenticated and (scorecard_can_view_all(user) or is_product_manager(user))


def scorecards(*, user, quarter: Period) -> list[dict]:
    """Product managers ranked by score for a quarter.

    score = Σ weight × min(attainment %, 120) ÷ Σ weight over the quarter snapshots of the manager's products that
    have an attainment and a metric with a positive scorecard weight. Heads of product, senior management and
    admins see everybody; a product manager sees only their own line; other roles are refused.
    """
    if not scorecard_can_view(user):
        raise PermissionDenied(_("您无权查看产品经理考核。"))
    weight = F("metric__scorecard_weight")
    capped = Case(When(attainment_pct__gt=ATTAINMENT_CAP, then=ATTAINMENT_CAP), default=F("attainment_pct"),
                  output_field=FloatField())
    rows = (Snapshot.objects.filter(granularity=Granularity.QUARTER, period_start=quarter.start,
                                    attainment_pct__isnull=False, metric__scorecard_weight__gt=0)
            .values("product__owner", "product__owner__username", "product__owner__first_name",
                    "product__owner__last_name")
            .annotate(weighted=Sum(capped * weight, output_field=FloatField()),
                      weights=Sum(weight, output_field=FloatField()),
                      products=Count("product", distinct=True), metrics=Count("id"),
                      red=Count("id", filter=Q_RED))
            .order_by())
    cards = [{
        "manager_id": r["product__owner"], "username": r["product__owner__username"],
        "name": f"{r['product__owner__last_name']}{r['product__owner__first_name']}" or r["product__owner__username"],
        "score": round(r["weighted"] / r["weights"], 2), "products": r["products"], "metrics": r["metrics"],
        "red": r["red"], "quarter": quarter.label,
    } for r in rows if r["weights"]]
    cards.sort(key=lambda c: (-c["score"], c["username"]))
    for rank, card in enumerate(cards, start=1):
        card["rank"] = rank
    if not scorecard_can_view_all(user):
        cards = [c for c in cards if c["manager_id"] == user.pk]
    return cards


def active_market_alerts(*, product: Product) -> list[Alert]:
    """The product's open target-market alerts (sold into an excluded segment or an unapproved channel)."""
    from .choices import AlertKind

    return list(Alert.objects.filter(product=product, kind=AlertKind.TARGET_MARKET,
                                     status__in=ACTIVE_ALERT_STATUSES).select_related("metric", "product"))
