"""Reads of the breakdowns by segment, channel or region (product KPI page, dashboard, exports): a fixed number of
queries whatever the number of dimension values."""
from django.db.models import Sum
from django.utils import timezone

from .choices import Aggregation, Dimension, Granularity
from .dimensions import member_label
from .models import DimensionSnapshot, Metric, Region


def _dimension(value) -> str:
    return value if value in Dimension.values else Dimension.SEGMENT


def _latest(rows) -> object:
    """The latest whole month with figures (the month in progress only when there is nothing before it: a partial
    month would show every summed figure as a slump)."""
    current = timezone.localdate().replace(day=1)
    latest = rows.filter(period_start__lt=current).order_by("-period_start").values_list("period_start", flat=True)
    return latest.first() or rows.order_by("-period_start").values_list("period_start", flat=True).first()


def _table(dimension: str, cells: dict, metrics: list[Metric], period: str, chart_metric: Metric | None) -> dict:
    regions = {r.code: r for r in Region.objects.all()} if dimension == Dimension.REGION else {}
    members = sorted({member for member, _m in cells})
    rows = [{"member": m, "label": member_label(dimension, m, regions),
             "cells": [(metric, cells.get((m, metric.pk))) for metric in metrics]} for m in members]
    chart = None
    if chart_metric is not None:
        chart = {"metric": chart_metric.display_name, "unit": chart_metric.display_unit,
                 "members": [r["label"] for r in rows],
                 "values": [cells.get((r["member"], chart_metric.pk)) for r in rows]}
    return {"dimension": dimension, "dimension_label": Dimension(dimension).label, "period": period,
            "metrics": metrics, "rows": rows, "chart": chart, "dimensions": Dimension.choices}


def product_breakdown(*, product, dimension: str | None = None, metric_code: str | None = None) -> dict:
    """The latest month's dimension snapshots of a product by one dimension: a row per value, a column per metric,
    and one metric's values for the chart (the asked one, else the first with figures). Three or four queries."""
    dimension = _dimension(dimension)
    scoped = DimensionSnapshot.objects.filter(product=product, granularity=Granularity.MONTH, dimension=dimension)
    start = _latest(scoped)
    snaps = list(scoped.filter(period_start=start).select_related("metric")
                 .order_by("metric__display_order", "metric__code", "member")) if start else []
    metrics = list({s.metric_id: s.metric for s in snaps}.values())
    cells = {(s.member, s.metric_id): s.value for s in snaps}
    chart_metric = next((m for m in metrics if m.code == metric_code), metrics[0] if metrics else None)
    table = _table(dimension, cells, metrics, snaps[0].period if snaps else "", chart_metric)
    table["snapshots"] = snaps
    table["chart_metric"] = chart_metric
    return table


def portfolio_breakdown(*, dimension: str | None = None) -> dict:
    """The latest month across all products by one dimension, for the additive (summed) key metrics and the
    sales metrics: values added up over products. Three or four queries."""
    dimension = _dimension(dimension)
    metrics = list(Metric.objects.filter(aggregation=Aggregation.SUM).order_by("display_order", "code"))
    scoped = DimensionSnapshot.objects.filter(granularity=Granularity.MONTH, dimension=dimension,
                                              metric__in=metrics)
    start = _latest(scoped)
    cells, labels = {}, set()
    if start:
        for member, metric_id, label, total in (scoped.filter(period_start=start)
                                                .values_list("member", "metric_id", "period")
                                                .annotate(total=Sum("value")).order_by()):
            cells[(member, metric_id)] = total
            labels.add(label)
    period = min(labels) if labels else ""
    shown = [m for m in metrics if any(k[1] == m.pk for k in cells)]
    return _table(dimension, cells, shown, period, shown[0] if shown else None)
