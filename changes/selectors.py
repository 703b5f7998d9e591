"""Reads of changes and terms versions; pilot actuals are aggregated in the database, never in Python."""
from datetime import date

from django.db.models import Avg, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import NullIf
from django.utils import timezone

from kpis.choices import Aggregation, MetricCode
from kpis.models import Metric, Observation

from .models import OPEN_CHANGE, Change, TermsVersion

AGGREGATES = {Aggregation.SUM: Sum, Aggregation.AVG: Avg, Aggregation.MAX: Max, Aggregation.MIN: Min}


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


def _metric_expression(metric: Metric, metrics_by_code: dict[str, Metric], window: Q):
    """The metric's own aggregation as one SQL aggregate over the window (None for `last`, done apart)."""
    if metric.aggregation in AGGREGATES:
        return AGGREGATES[metric.aggregation]("value", filter=window & Q(metric_id=metric.pk))
    if metric.aggregation != Aggregation.DERIVED:
        return None
    revenue, cost = metrics_by_code.get(MetricCode.REVENUE), metrics_by_code.get(MetricCode.COST)
    if revenue is None or cost is None or revenue.aggregation not in AGGREGATES or cost.aggregation not in AGGREGATES:
        return None
    rev = AGGREGATES[revenue.aggregation]("value", filter=window & Q(metric_id=revenue.pk))
    cst = AGGREGATES[cost.aggregation]("value", filter=window & Q(metric_id=cost.pk))
    if metric.code == MetricCode.PROFIT:
        return rev - cst
    if metric.code == MetricCode.MARGIN:
        return (rev - cst) * 100.0 / NullIf(rev, 0.0)
    return None


def criteria_with_actuals(*, change: Change, today: date | None = None) -> list[dict]:
    """Each pilot criterion with its actual (the metric's aggregation over the product's observations from the
    pilot's start to the earlier of its end and today) and `met` (None without data)."""
    criteria = list(change.criteria.all())
    if not criteria:
        return []
    today = today or timezone.localdate()
    until = min(change.pilot_end, today) if change.pilot_end else today
    window = Q(date__gte=change.pilot_start, date__lte=until)
    metrics = {m.code: m for m in Metric.objects.filter(
        Q(pk__in=[c.metric_id for c in criteria]) | Q(code__in=[MetricCode.REVENUE, MetricCode.COST]))}
    by_id = {m.pk: m for m in metrics.values()}
    expressions, last = {}, {}
    for criterion in criteria:
        metric = by_id[criterion.metric_id]
        if metric.aggregation == Aggregation.LAST:
            last[f"m{metric.pk}"] = metric
        else:
            expression = _metric_expression(metric, metrics, window)
            if expression is not None:
                expressions[f"m{metric.pk}"] = expression
    observations = Observation.objects.filter(product_id=change.product_id)
    values = observations.aggregate(**expressions) if expressions else {}
    for key, metric in last.items():
        values[key] = observations.filter(window, metric=metric).order_by("-date").values_list(
            "value", flat=True).first()
    return [_criterion_row(criterion, by_id[criterion.metric_id], values.get(f"m{criterion.metric_id}"))
            for criterion in criteria]


def _criterion_row(criterion, metric: Metric, actual) -> dict:
    met = None if actual is None else (actual >= criterion.value if criterion.op == ">=" else
                                       actual <= criterion.value)
    return {"metric": metric.code, "metric_name": metric.display_name, "unit": metric.display_unit,
            "op": criterion.op, "value": criterion.value, "actual": actual, "met": met}


def changes_for_product(*, product) -> QuerySet:
    return Change.objects.filter(product=product).select_related("created_by", "version").order_by("-created_at",
                                                                                                   "-id")

