"""The dimension snapshot statement: one INSERT … SELECT … ON CONFLICT for every product, metric, period and value of
segment, channel and region, on PostgreSQL and SQLite (see kpis/sql.py for the total's statement it mirrors).

A member's day value is the day's roll-up over that member's rows (the same rule as the total, kpis.dimensions);
the period value is the metric's aggregation over those days (for a sum metric simply the sum of its rows); derived
metrics are compiled from their formulas over a pivot per member. Each row is read once and counted under its
segment, its channel and its region (a cross join with the three dimension names); nothing goes to Python.
"""
from .periods import Period
from .sql import MetricPlan, _in_list, merged_windows

COLUMNS = ("product_id", "metric_id", "granularity", "period", "period_start", "dimension", "member", "value",
           "previous_value", "change_pct", "computed_at")

_DAY_VALUE = ("CASE m.aggregation WHEN 'avg' THEN AVG(d.value) WHEN 'max' THEN MAX(d.value) "
              "WHEN 'min' THEN MIN(d.value) ELSE SUM(d.value) END")


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


def _member(pg: bool) -> str:
    return "x.member" if pg else "CASE x.dim WHEN 'segment' THEN d.segment WHEN 'channel' THEN d.channel " \
                                 "ELSE d.region END"


def _member_rows(where: str, *, pg: bool, aggregation: bool = False) -> str:
    """The rows of the windows, each counted once under its segment, its channel and its region (one read: on
    PostgreSQL a lateral VALUES gives each row's three (dimension, member) pairs, the member computed once).
    `aggregation`: with the metric's aggregation (m.aggregation), which only the day roll-up needs."""
    metric = " JOIN kpis_metric m ON m.id = d.metric_id" if aggregation else ""
    members = ("CROSS JOIN LATERAL (VALUES ('segment', d.segment), ('channel', d.channel), ('region', d.region)) "
               "x(dim, member)" if pg else
               "CROSS JOIN (SELECT 'segment' AS dim UNION ALL SELECT 'channel' UNION ALL SELECT 'region') x")
    return f"FROM kpis_dimensionobservation d{metric}\n  {members}\n  WHERE {where} AND {_member(pg)} <> ''"


STAGING = "kpi_dimension_snapshot_rows"
_UPSERT = (f"ON CONFLICT (product_id, metric_id, granularity, period_start, dimension, member) DO UPDATE SET\n  "
           f"{', '.join(f'{c} = excluded.{c}' for c in COLUMNS[7:])}")


def dimension_snapshot_statements(*, vendor: str, granularity: str, periods: list[Period], plan: MetricPlan, now,
                                  product_ids: list[int] | None = None) -> list[tuple[str, list]]:
    """The statements to run in order. On PostgreSQL the rows are computed into a temporary table first (a CREATE
    TABLE AS may use parallel workers, an INSERT … SELECT may not), then upserted; SQLite upserts in one."""
    statement, params = dimension_snapshot_upsert(vendor=vendor, granularity=granularity, periods=periods,
                                                  plan=plan, now=now, product_ids=product_ids,
                                                  staged=vendor == "postgresql")
    if vendor != "postgresql":
        return [(statement, params)]
    columns = ", ".join(COLUMNS)
    return [(f"DROP TABLE IF EXISTS {STAGING}", []), (statement, params),
            (f"INSERT INTO kpis_dimensionsnapshot ({columns}) SELECT {columns} FROM {STAGING}\n{_UPSERT}", []),
            (f"DROP TABLE {STAGING}", [])]


def dimension_snapshot_upsert(*, vendor: str, granularity: str, periods: list[Period], plan: MetricPlan, now,
                              product_ids: list[int] | None = None, staged: bool = False) -> tuple[str, list]:
    """The statement and its parameters; `product_ids` limits it to those products. `staged`: a CREATE TEMPORARY
    TABLE … AS of the rows (STAGING) instead of the upsert (see dimension_snapshot_statements).

    One aggregate per needed period (each period and its previous one) with the period's start as a constant.
    A sum metric's period value is the sum of its rows (the day roll-up is a sum too), read in one pass; the other
    aggregations roll each member's day up first (`days`), then aggregate the days."""
    pg = vendor == "postgresql"
    as_date = "%s::date" if pg else "%s"
    params: list = []
    per_rows = []
    for p in periods:
        per_rows.append(f"({as_date}, %s, {as_date})")
        params += [p.start, p.label, p.previous().start]
    needed = sorted({q for each in periods for q in (each, each.previous())}, key=lambda q: q.start)
    windows = [(start, end) for start, end in merged_windows(periods)]
    window_sql = " OR ".join("(d.date >= %s AND d.date < %s)" for _w in windows)
    window_params = [v for w in windows for v in w]
    product_filter = f" AND d.product_id IN ({_in_list(product_ids)})" if product_ids is not None else ""
    sum_ids = _in_list(plan.by_aggregation.get("sum", []))
    other_ids = _in_list([i for agg, ids in plan.by_aggregation.items() if agg not in ("sum", "derived")
                          for i in ids])
    last_ids = _in_list(plan.by_aggregation.get("last", []))
    last_pick = ("MAX(ARRAY[(x.date - DATE '2000-01-01')::float8, x.value]) FILTER (WHERE x.metric_id IN "
                 f"({last_ids})) AS v_last" if pg else "MAX(x.date) AS last_date")
    branches, member = [], _member(pg)
    sum_where = f"d.date >= %s AND d.date < %s AND d.metric_id IN ({sum_ids}){product_filter}"
    for each in needed:
        branches.append(
            f"SELECT d.product_id, d.metric_id, x.dim, {member} AS member, {as_date} AS ps, SUM(d.value) AS v_sum, "
            f"NULL AS v_n, NULL AS v_max, NULL AS v_min, {'NULL::float8[] AS v_last' if pg else 'NULL AS last_date'}"
            f"\n  {_member_rows(sum_where, pg=pg)}"
            f"\n  GROUP BY d.product_id, d.metric_id, x.dim, {member}")
        params += [each.start, each.start, each.end]
        branches.append(
            f"SELECT x.product_id, x.metric_id, x.dim, x.member, {as_date} AS ps, SUM(x.value), COUNT(*), "
            f"MAX(x.value), MIN(x.value), {last_pick} FROM days x WHERE x.date >= %s AND x.date < %s "
            f"GROUP BY x.product_id, x.metric_id, x.dim, x.member")
        params += [each.start, each.start, each.end]
    # `days` comes first in the statement: its parameters go before the branches'.
    params = params[:3 * len(periods)] + window_params + params[3 * len(periods):]
    picks = {"sum": "a.v_sum", "avg": "a.v_sum / a.v_n", "max": "a.v_max", "min": "a.v_min"}
    if pg:
        picks["last"] = "a.v_last[2]"
    value = "CASE " + " ".join(f"WHEN a.metric_id IN ({_in_list(ids)}) THEN {picks[agg]}"
                               for agg, ids in plan.by_aggregation.items() if ids and agg in picks) + " END"
    if pg:
        base = f"""base AS (
  SELECT a.product_id, a.metric_id, a.dim, a.member, a.ps, {value} AS value FROM agg a
),"""
    else:
        base = f"""base AS (
  SELECT a.product_id, a.metric_id, a.dim, a.member, a.ps, {value} AS value FROM agg a
  WHERE a.metric_id NOT IN ({last_ids})
  UNION ALL
  SELECT a.product_id, a.metric_id, a.dim, a.member, a.ps, l.value FROM agg a
  JOIN days l ON l.product_id = a.product_id AND l.metric_id = a.metric_id AND l.dim = a.dim
    AND l.member = a.member AND l.date = a.last_date
  WHERE a.metric_id IN ({last_ids})
),"""
    union = "\n  UNION ALL ".join(branches)
    if pg:  # the previous period's value by a window frame exactly one period back: one sort, and no join whose
        # size the planner cannot estimate on a CTE (it chose a nested loop over 3,200 × 3,200 rows: 1.1 s)
        months = 1 if granularity == "month" else 3
        compared = (",\ncompared AS (\n  SELECT v.*, MAX(v.value) OVER (PARTITION BY v.product_id, v.metric_id, v.dim, "
                    f"v.member ORDER BY v.ps RANGE BETWEEN INTERVAL '{months} months' PRECEDING AND "
                    f"INTERVAL '{months} months' PRECEDING) AS previous_value FROM vals v\n)")
        source, previous = "compared", "CROSS JOIN LATERAL (SELECT c.previous_value AS value) p"
    else:
        compared, source = "", "vals"
        previous = ("LEFT JOIN vals p ON p.product_id = c.product_id AND p.metric_id = c.metric_id AND p.dim = c.dim\n"
                    "  AND p.member = c.member AND p.ps = per.prev_ps")
    head = f"CREATE TEMPORARY TABLE {STAGING} ({', '.join(COLUMNS)}) ON COMMIT DROP AS" if staged else ""
    insert = "" if staged else f"INSERT INTO kpis_dimensionsnapshot ({', '.join(COLUMNS)})"
    tail = "" if staged else _UPSERT
    statement = f"""{head}
WITH per(ps, label, prev_ps) AS (VALUES {', '.join(per_rows)}),
days AS (  -- each member's day value for the metrics that are not sums, rolled up over its rows like the total
  SELECT d.product_id, d.metric_id, d.date, x.dim, {member} AS member, {_DAY_VALUE} AS value
  {_member_rows(f"({window_sql}) AND d.metric_id IN ({other_ids}){product_filter}", pg=pg, aggregation=True)}
  GROUP BY d.product_id, d.metric_id, d.date, x.dim, {member}, m.aggregation
),
agg AS (
  {union}
),
{base}
{_derived(plan)}{compared}
{insert}
SELECT c.product_id, c.metric_id, %s, per.label, per.ps, c.dim, c.member, c.value, p.value,
  CASE WHEN c.value IS NULL OR p.value IS NULL OR p.value = 0 THEN NULL
       ELSE (c.value - p.value) * 100.0 / ABS(p.value) END,
  %s
FROM per JOIN {source} c ON c.ps = per.ps
JOIN products_product pr ON pr.id = c.product_id
{previous}
WHERE TRUE
{tail}"""
    params += [granularity, now]
    return statement, params
