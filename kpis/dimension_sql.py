"""The dimension snapshot statement: one INSERT … SELECT … ON CONFLICT for every product, metric, period and value of
segment, channel and region, on PostgreSQL and SQLite (see kpis/sql.py for the total's statement it mirrors).

A member's day value is the day's roll-up over that member's rows (the same rule as the total, kpis.dimensions);
the period value is the metric's aggregation over those days; derived metrics are compiled from their formulas
over a pivot per member. The three dimensions are one UNION ALL over the windows' rows, so the statement reads
the dimensioned table once per dimension and sends nothing to Python.
"""
from .periods import Period
from .sql import MetricPlan, _in_list, _value_case, merged_windows

COLUMNS = ("product_id", "metric_id", "granularity", "period", "period_start", "dimension", "member", "value",
           "previous_value", "change_pct", "computed_at")

_DAY_VALUE = ("CASE m.aggregation WHEN 'avg' THEN AVG(d.value) WHEN 'max' THEN MAX(d.value) "
              "WHEN 'min' THEN MIN(d.value) ELSE SUM(d.value) END")

_PERIOD_START = {
    ("postgresql", "month"): "date_trunc('month', x.date::timestamp)::date",
    ("postgresql", "quarter"): "date_trunc('quarter', x.date::timestamp)::date",
    ("sqlite", "month"): "date(x.date, 'start of month')",
    ("sqlite", "quarter"): "date(x.date, 'start of month', '-' || ((CAST(strftime('%%m', x.date) AS INTEGER) - 1)"
                           " %% 3) || ' months')",
}


def _derived(plan: MetricPlan) -> str:
    if not plan.derived:
        return "vals AS (SELECT product_id, metric_id, dim, member, ps, value FROM base)"
    base_ids = sorted({i for d in plan.derived for i in d.base_ids})
    pivot = ", ".join(f"MAX(CASE WHEN metric_id = {i} THEN value END) AS v{i}" for i in base_ids)
    parts = [f"SELECT product_id, {d.metric_id} AS metric_id, dim, member, ps, {d.expression} AS value FROM pivot "
             "WHERE " + " AND ".join(f"v{i} IS NOT NULL" for i in d.base_ids) for d in plan.derived]
    return (f"pivot AS (  -- the base values a formula needs, per product, member and period\n"
            f"  SELECT product_id, dim, member, ps, {pivot} FROM base WHERE metric_id IN ({_in_list(base_ids)})\n"
            f"  GROUP BY product_id, dim, member, ps\n),\n"
            f"derived AS ({' UNION ALL '.join(parts)}),\n"
            f"vals AS (SELECT product_id, metric_id, dim, member, ps, value FROM base\n"
            f"         UNION ALL SELECT product_id, metric_id, dim, member, ps, value FROM derived)")


def dimension_snapshot_upsert(*, vendor: str, granularity: str, periods: list[Period], plan: MetricPlan, now,
                              product_ids: list[int] | None = None) -> tuple[str, list]:
    """The statement and its parameters; `product_ids` limits it to those products."""
    pg = vendor == "postgresql"
    as_date = "%s::date" if pg else "%s"
    params: list = []
    per_rows = []
    for p in periods:
        per_rows.append(f"({as_date}, %s, {as_date})")
        params += [p.start, p.label, p.previous().start]
    windows = []
    for start, end in merged_windows(periods):
        windows.append("(d.date >= %s AND d.date < %s)")
        params += [start, end]
    window_sql = " OR ".join(windows)
    product_filter = f" AND d.product_id IN ({_in_list(product_ids)})" if product_ids is not None else ""
    members = " UNION ALL ".join(
        f"SELECT d.product_id, d.metric_id, d.date, '{dim}' AS dim, d.{dim} AS member, {_DAY_VALUE} AS value "
        f"FROM kpis_dimensionobservation d JOIN kpis_metric m ON m.id = d.metric_id "
        f"WHERE ({window_sql}) AND d.{dim} <> ''{product_filter} "
        f"GROUP BY d.product_id, d.metric_id, d.date, d.{dim}, m.aggregation"
        for dim in ("segment", "channel", "region"))
    params = params[:3 * len(periods)] + params[3 * len(periods):] * 3
    ps = _PERIOD_START[(vendor if pg else "sqlite", granularity)]
    last_ids = _in_list(plan.by_aggregation.get("last", []))
    statement = f"""
WITH per(ps, label, prev_ps) AS (VALUES {', '.join(per_rows)}),
days AS (  -- each member's day value, rolled up over its rows like the day's total
  {members}
),
agg AS (
  SELECT x.product_id, x.metric_id, x.dim, x.member, {ps} AS ps, SUM(x.value) AS v_sum, AVG(x.value) AS v_avg,
         MAX(x.value) AS v_max, MIN(x.value) AS v_min, MAX(x.date) AS last_date
  FROM days x GROUP BY x.product_id, x.metric_id, x.dim, x.member, {ps}
),
base AS (
  SELECT a.product_id, a.metric_id, a.dim, a.member, a.ps, {_value_case(plan, vendor)} AS value FROM agg a
  WHERE a.metric_id NOT IN ({last_ids})
  UNION ALL
  SELECT a.product_id, a.metric_id, a.dim, a.member, a.ps, l.value FROM agg a
  JOIN days l ON l.product_id = a.product_id AND l.metric_id = a.metric_id AND l.dim = a.dim
    AND l.member = a.member AND l.date = a.last_date
  WHERE a.metric_id IN ({last_ids})
),
{_derived(plan)}
INSERT INTO kpis_dimensionsnapshot ({', '.join(COLUMNS)})
SELECT c.product_id, c.metric_id, %s, per.label, per.ps, c.dim, c.member, c.value, p.value,
  CASE WHEN c.value IS NULL OR p.value IS NULL OR p.value = 0 THEN NULL
       ELSE (c.value - p.value) * 100.0 / ABS(p.value) END,
  %s
FROM per JOIN vals c ON c.ps = per.ps
JOIN products_product pr ON pr.id = c.product_id
LEFT JOIN vals p ON p.product_id = c.product_id AND p.metric_id = c.metric_id AND p.dim = c.dim
  AND p.member = c.member AND p.ps = per.prev_ps
WHERE TRUE
ON CONFLICT (product_id, metric_id, granularity, period_start, dimension, member) DO UPDATE SET
  {', '.join(f'{c} = excluded.{c}' for c in COLUMNS[7:])}"""
    params += [granularity, now]
    return statement, params
