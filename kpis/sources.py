"""Figures that come from other BankPM apps rather than from typing: innovation from the requirements backlog."""
from datetime import date

from django.apps import apps
from django.db.models import Count
from django.db.models.functions import TruncDate

from .choices import MetricCode, ObservationSource
from .models import Metric, Observation


def sync_backlog_observations(*, start: date, end: date) -> int:
    """Upsert daily counts of delivered requirements per product into `requirements_delivered` for [start, end).

    Set-based: one grouped query, one bulk upsert. The model is looked up lazily so that kpis does not import
    requirements at module load (requirements' pages show KPI figures).
    """
    requirement = apps.get_model("requirements", "Requirement")
    metric = Metric.objects.filter(code=MetricCode.REQUIREMENTS_DELIVERED).first()
    if metric is None:
        return 0
    counts = (requirement.objects.filter(status="delivered", delivered_at__date__gte=start, delivered_at__date__lt=end)
              .annotate(day=TruncDate("delivered_at")).values("product_id", "day").annotate(n=Count("id")))
    rows = [Observation(product_id=c["product_id"], metric=metric, date=c["day"], value=float(c["n"]),
                        source=ObservationSource.BACKLOG) for c in counts]
    # Days whose deliveries were all reopened drop to zero instead of keeping a stale count.
    # (The partial index kpi_observation_backlog_idx finds them; zeros already zero are not written again.)
    stale = Observation.objects.filter(metric=metric, source=ObservationSource.BACKLOG, date__gte=start, date__lt=end)
    stale.exclude(value=0.0).update(value=0.0)
    Observation.objects.bulk_create(rows, update_conflicts=True, unique_fields=["product", "metric", "date"],
                                    update_fields=["value", "source"])
    return len(rows)
