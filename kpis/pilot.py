"""Pilot criteria judged on the pilot's own scope: its regions, segments and channels, never the whole product.

A criterion's actual is the metric's aggregation over the pilot window of the dimensioned figures inside the scope:
each day's value is rolled up over the scope's rows (the same rule as a day's total, kpis.dimensions), then the
metric's own aggregation runs over the days (`last`: the latest day). Derived metrics apply their formula to those
base values. Where the scope has no dimensioned figures the actual is null with a reason. One statement for the
base metrics, one for the derived ones.
"""
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from .choices import Aggregation
from .formulas import derived_sql
from .models import Metric, Region

_ACTUALS = """
WITH days AS (  -- each metric's day value over the scope's rows
  SELECT d.metric_id, d.date,
    CASE m.aggregation WHEN 'avg' THEN AVG(d.value) WHEN 'max' THEN MAX(d.value) WHEN 'min' THEN MIN(d.value)
                       ELSE SUM(d.value) END AS value
  FROM kpis_dimensionobservation d JOIN kpis_metric m ON m.id = d.metric_id
  WHERE d.product_id = %s AND d.date >= %s AND d.date <= %s AND d.metric_id IN ({metrics}){scope}
  GROUP BY d.metric_id, d.date, m.aggregation
),
agg AS (SELECT metric_id, SUM(value) AS v_sum, AVG(value) AS v_avg, MAX(value) AS v_max, MIN(value) AS v_min,
               MAX(date) AS last_date FROM days GROUP BY metric_id)
SELECT a.metric_id, a.v_sum, a.v_avg, a.v_max, a.v_min, l.value FROM agg a
JOIN days l ON l.metric_id = a.metric_id AND l.date = a.last_date"""
_PICK = {Aggregation.SUM: 1, Aggregation.AVG: 2, Aggregation.MAX: 3, Aggregation.MIN: 4, Aggregation.LAST: 5}


@dataclass(frozen=True)
class Actual:
    value: float | None
    reason: str = ""


def region_codes(entries) -> list[str]:
    """A pilot names its regions by code or by name (zh or en): the codes of those regions, deactivated ones
    included (a pilot keeps its scope). An entry that names no region matches nothing, never everything."""
    if not entries:
        return []
    found = list(Region.objects.filter(Q(code__in=entries) | Q(name__in=entries) | Q(name_en__in=entries))
                 .values_list("code", flat=True))
    return found


def _scope_sql(regions, segments, channels) -> tuple[str, list]:
    parts, params = [], []
    for column, codes in (("region", regions), ("segment", segments), ("channel", channels)):
        if codes:
            parts.append(f" AND d.{column} IN ({', '.join(['%s'] * len(codes))})")
            params += list(codes)
    return "".join(parts), params


def pilot_actuals(*, product_id: int, start: date, end: date, regions, segments, channels,
                  metric_ids: list[int]) -> dict[int, Actual]:
    """metric id → its actual over the pilot scope and window [start, end] (null with a reason when no data)."""
    if not (regions or segments or channels):
        return dict.fromkeys(metric_ids, Actual(None, _("试点未限定地区、客群或渠道，无法按试点范围计算。")))
    if regions:
        regions = region_codes(regions)
        if not regions:  # a scope of unknown regions has no figures, never the whole product's
            return dict.fromkeys(metric_ids, Actual(None, _("试点地区不在地区列表中，没有对应的分维度数据。")))
    metrics = list(Metric.objects.values_list("id", "code", "aggregation", "formula"))
    aggregation = {pk: agg for pk, _c, agg, _f in metrics}
    derived = {d.metric_id: d for d in derived_sql(metrics) if d.metric_id in metric_ids}
    base = sorted({*(m for m in metric_ids if m not in derived and aggregation.get(m) in _PICK),
                   *(i for d in derived.values() for i in d.base_ids)})
    values: dict[int, float | None] = {}
    if base:
        scope, scope_params = _scope_sql(regions, segments, channels)
        with connection.cursor() as cursor:
            cursor.execute(_ACTUALS.format(metrics=", ".join(map(str, base)), scope=scope),
                           [product_id, start, end, *scope_params])
            for metric_id, *picks in cursor.fetchall():
                values[metric_id] = picks[_PICK[aggregation[metric_id]] - 1]
    for metric_id, compiled in derived.items():
        if all(values.get(i) is not None for i in compiled.base_ids):
            values[metric_id] = _evaluate(compiled, values)
    missing = Actual(None, _("试点范围内（所选地区、客群、渠道）尚无分维度数据。"))
    return {m: Actual(values[m]) if values.get(m) is not None else missing for m in metric_ids}


def _evaluate(compiled, values: dict) -> float | None:
    """The formula's SQL over the base values (the same compiled expression the snapshots use)."""
    columns = ", ".join(f"%s AS v{i}" for i in compiled.base_ids)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {compiled.expression} FROM (SELECT {columns}) t",
                       [float(values[i]) for i in compiled.base_ids])
        return cursor.fetchone()[0]
