"""Reads of changes and terms versions; pilot actuals are aggregated in the database, never in Python."""
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from kpis.models import Metric
from kpis.pilot import pilot_actuals

from .models import OPEN_CHANGE, Change, TermsVersion


def change_list() -> QuerySet:
    return Change.objects.select_related("product", "created_by", "review", "version").prefetch_related(
        "requirements", "criteria__metric")


def open_change_exists(*, product) -> bool:
    """Another change of the product is not finished: running, waiting for its pilot, or its version not yet
    in force."""
    scheduled = Q(status="approved", version__effective_from__gt=timezone.localdate())
    return Change.objects.filter(OPEN_CHANGE | scheduled, product=product).exists()


def terms_versions(*, product, today: date | None = None) -> QuerySet:
    return TermsVersion.objects.filter(product=product).with_status(today=today or timezone.localdate()).order_by(
        "-version")


def criteria_with_actuals(*, change: Change, today: date | None = None) -> list[dict]:
    """Each pilot criterion with its actual over the pilot's own regions, segments and channels (kpis.pilot), from
    the pilot's start to the earlier of its end and today, `met` (None without data) and the `reason` why there is
    no actual."""
    criteria = list(change.criteria.select_related("metric"))
    if not criteria:
        return []
    today = today or timezone.localdate()
    until = min(change.pilot_end, today) if change.pilot_end else today
    actuals = pilot_actuals(product_id=change.product_id, start=change.pilot_start, end=until,
                            regions=change.regions, segments=change.segments, channels=change.channels,
                            metric_ids=[c.metric_id for c in criteria])
    return [_criterion_row(c, c.metric, actuals[c.metric_id]) for c in criteria]


def _criterion_row(criterion, metric: Metric, result) -> dict:
    actual = result.value
    met = None if actual is None else (actual >= criterion.value if criterion.op == ">=" else
                                       actual <= criterion.value)
    return {"metric": metric.code, "metric_name": metric.display_name, "unit": metric.display_unit,
            "op": criterion.op, "value": criterion.value, "actual": actual, "met": met, "reason": result.reason}


def changes_for_product(*, product) -> QuerySet:
    return Change.objects.filter(product=product).select_related("created_by", "version").order_by("-created_at",
                                                                                                   "-id")

