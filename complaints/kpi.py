"""The `complaints` KPI computed from the register — one source per product.

A product's complaint figures come from the register from its first registered complaint on: the register then
feeds the `complaints` metric (daily counts of the complaints received, rejected ones left out, by segment, channel
and region, the day's total rolled up from them), and ingestion (API, upload) of `complaints` for that product is
refused per index (`fed_elsewhere`). A product without any registered complaint keeps its uploaded counts. So a
complaint is never counted twice.
"""
from datetime import date

from django.db import connection

from kpis.choices import ObservationSource
from kpis.dimensions import rollup_totals
from kpis.models import Metric
from kpis.partitions import observation_partitions_ensure
from kpis.services import snapshots_mark_stale

from .choices import ComplaintStatus
from .models import Complaint

METRIC = "complaints"


def _metric_id() -> int | None:
    return Metric.objects.filter(code=METRIC).values_list("pk", flat=True).first()


def register_fed(*, product_ids, metric_ids) -> set[tuple[int, int]]:
    """kpis.hooks source: (product, complaints metric) for the products that have registered complaints."""
    metric = _metric_id()
    if metric is None or metric not in metric_ids or not product_ids:
        return set()
    products = Complaint.objects.filter(product_id__in=product_ids).values_list("product_id", flat=True).distinct()
    return {(p, metric) for p in products}


def complaints_kpi_sync(*, product_id: int, days: set[date]) -> None:
    """Recompute the product's `complaints` figures of these days from the register (set-based), and mark the
    snapshots they change stale."""
    metric = _metric_id()
    if metric is None or not days:
        return
    ordered = sorted(days)
    marks = ", ".join(["%s"] * len(ordered))
    observation_partitions_ensure(days=set(ordered))
    first = Complaint.objects.filter(product_id=product_id).order_by("received_on").values_list(
        "received_on", flat=True).first() or ordered[0]
    with connection.cursor() as cursor:
        # One source per product: from its first registered complaint on, figures from elsewhere are dropped.
        for table, own in (("kpis_dimensionobservation", ObservationSource.REGISTER),
                           ("kpis_observation", ObservationSource.ROLLUP)):
            cursor.execute(f"DELETE FROM {table} WHERE product_id = %s AND metric_id = %s AND date >= %s "
                           "AND source <> %s RETURNING date", [product_id, metric, first, own])
            days = days | {row[0] for row in cursor.fetchall()}
        for table in ("kpis_dimensionobservation", "kpis_observation"):
            cursor.execute(f"DELETE FROM {table} WHERE product_id = %s AND metric_id = %s AND date IN ({marks})",
                           [product_id, metric, *ordered])
        cursor.execute(
            "INSERT INTO kpis_dimensionobservation (product_id, metric_id, date, segment, channel, region, value, "
            f"source) SELECT product_id, %s, received_on, segment, channel, region, COUNT(*), %s "
            f"FROM complaints_complaint WHERE product_id = %s AND status <> %s AND received_on IN ({marks}) "
            "GROUP BY product_id, received_on, segment, channel, region",
            [metric, ObservationSource.REGISTER, product_id, ComplaintStatus.REJECTED, *ordered])
    rollup_totals(product_ids=[product_id], metric_ids=[metric], first=ordered[0], last=ordered[-1])
    snapshots_mark_stale(product_months={(product_id, d.replace(day=1)) for d in days})
