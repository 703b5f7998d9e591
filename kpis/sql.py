"""The snapshot statement: computes every snapshot of any number of periods in SQL, on PostgreSQL and SQLite.

One aggregate per needed period (each period, its previous period and the same period last year), each over that
period's own date range, so that PostgreSQL reads only its month partitions and the period's start is a constant,
not a date_trunc per row. Each metric's aggregation picks its value (avg is the sum over the count); `last` is the
second element of the greatest [day number, value] pair of the group on PostgreSQL (one aggregate in the same pass:
no sort, no second visit of the table), a join on the table's key at the group's last date on SQLite. Derived
metrics are compiled from their formulas (kpis.formulas) over a pivot of the base values. Groups of metrics with
no own figures (derived ones) are dropped after aggregating, not row by row. Over more than JOINED_PERIODS_MAX
periods on PostgreSQL the previous and last year's values are window frames exactly one period and twelve months
back (one sort, no self-join); over one or two periods, and on SQLite, joins on the period table. PostgreSQL
stages the rows in a temporary table (CREATE TABLE AS may run in parallel, INSERT … SELECT may not) and
kpis.services writes them; SQLite upserts in the one statement. No observation travels to Python.
"""
from dataclasses import dataclass
from datetime import date

from .formulas import DerivedSql
from .periods import Period

SNAPSHOT_COLUMNS = (
    "product_id", "metric_id", "granularity", "period", "period_start", "value", "previous_value", "change_pct",
    "last_year_value", "yoy_pct", "target_value", "warning_threshold", "critical_threshold", "attainment_pct",
    "status", "computed_at",
)
_UPDATED = SNAPSHOT_COLUMNS[5:]


@dataclass(frozen=True)
class MetricPlan:
    """Which metric ids use which aggregation, and the compiled derived metrics."""

    by_aggregation: dict[str, list[int]]
    derived: list[DerivedSql]


def merged_windows(periods: list[Period]) -> list[tuple[date, date]]:
    """The date ranges [start, end) of every period, its previous period and last year's, merged where they touch."""
    ranges = sorted({(p.start, p.end) for each in periods for p in (each, each.previous(), each.last_year())})
    merged: list[list[date]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def _in_list(ids) -> str:
    return ", ".join(str(int(i)) for i in ids) or "NULL"


def _derived_ctes(plan: MetricPlan) -> str:
    if not plan.derived:
        return "vals AS (SELECT product_id, metric_id, ps, value FROM base)"
    base_ids = sorted({i for d in plan.derived for i in d.base_ids})
    pivot = ", ".join(f"MAX(CASE WHEN metric_id = {i} THEN value END) AS v{i}" for i in base_ids)
    parts = [
        f"SELECT product_id, {d.metric_id} AS metric_id, ps, {d.expression} AS value FROM pivot WHERE "
        + " AND ".join(f"v{i} IS NOT NULL" for i in d.base_ids)
        for d in plan.derived
    ]
    return (f"pivot AS (  -- the base values a formula needs, one row per product and period\n"
            f"  SELECT product_id, ps, {pivot} FROM base WHERE metric_id IN ({_in_list(base_ids)})\n"
            f"  GROUP BY product_id, ps\n),\n"
            f"derived AS ({' UNION ALL '.join(parts)}),\n"
            f"vals AS (SELECT product_id, metric_id, ps, value FROM base\n"
            f"         UNION ALL SELECT product_id, metric_id, ps, value FROM derived)")


def needed_periods(periods: list[Period]) -> list[Period]:
    """Every period whose values the periods need: each period, its previous period and the same period last year."""
    return sorted({p for each in periods for p in (each, each.previous(), each.last_year())}, key=lambda p: p.start)


# A `last` metric's value is the second element of the greatest [day number, value] pair of its group: one
# aggregate in the same pass, no sort and no second visit of the table.
_LAST_PAIR = "ARRAY[(o.date - DATE '2000-01-01')::float8, o.value]"


def _aggregates(plan: MetricPlan, vendor: str) -> str:
    """The aggregates a group needs, for the aggregations some metric uses (avg is the sum over the count)."""
    used = {agg for agg, ids in plan.by_aggregation.items() if ids}
    columns = ["SUM(o.value) AS v_sum", "COUNT(*) AS v_n"]
    if "max" in used:
        columns.append("MAX(o.value) AS v_max")
    if "min" in used:
        columns.append("MIN(o.value) AS v_min")
    if vendor == "postgresql":
        columns.append(f"MAX({_LAST_PAIR}) FILTER (WHERE o.metric_id IN "
                       f"({_in_list(plan.by_aggregation.get('last', []))})) AS v_last")
    else:
        columns.append("MAX(o.date) AS last_date")
    return ", ".join(columns)


def _base_value(plan: MetricPlan, vendor: str) -> str:
    """The metric's own aggregation picked from the group's aggregates."""
    picks = {"sum": "a.v_sum", "avg": "a.v_sum / a.v_n", "max": "a.v_max", "min": "a.v_min"}
    if vendor == "postgresql":
        picks["last"] = "a.v_last[2]"
    whens = " ".join(f"WHEN a.metric_id IN ({_in_list(ids)}) THEN {picks[agg]}"
                     for agg, ids in plan.by_aggregation.items() if ids and agg in picks)
    return f"CASE {whens} END" if whens else "NULL"


STAGING = "kpi_snapshot_rows"
# Up to this many periods the previous and last year's values are joined; beyond, window frames are faster
# (measured on the benchmark's data: one or two months 0.24 / 0.74 s joined against 0.31 / 0.81 s windowed, four
# months 1.26 s against 1.19 s, the 24-month backfill 5.8 s against 3.4 s).
JOINED_PERIODS_MAX = 2
_UPSERT = (f"ON CONFLICT (product_id, metric_id, granularity, period_start) DO UPDATE SET\n  "
           f"{', '.join(f'{c} = excluded.{c}' for c in _UPDATED)}")


def snapshot_statements(*, vendor: str, granularity: str, periods: list[Period], plan: MetricPlan, now,
                        scope: list[tuple[int, date]] | None = None) -> list[tuple[str, list]]:
    """PostgreSQL: the statements that compute the rows into the temporary table STAGING (a CREATE TABLE AS may use
    parallel workers, an INSERT … SELECT may not); its row count is the number of snapshots. The rows are then
    written by STAGED_INSERT or STAGED_UPSERT (kpis.services decides which). SQLite: `snapshot_upsert` alone."""
    if vendor != "postgresql":
        return [snapshot_upsert(vendor=vendor, granularity=granularity, periods=periods, plan=plan, now=now,
                                scope=scope)]
    select, params = snapshot_upsert(vendor=vendor, granularity=granularity, periods=periods, plan=plan, now=now,
                                     scope=scope, staged=True)
    return [(f"DROP TABLE IF EXISTS {STAGING}", []), (select, params)]


_STAGED_SELECT = (f"INSERT INTO kpis_snapshot ({', '.join(SNAPSHOT_COLUMNS)}) SELECT {', '.join(SNAPSHOT_COLUMNS)} "
                  f"FROM {STAGING} ORDER BY product_id, metric_id, period_start")
# When no snapshot of these periods exists yet (a new month): a plain insert, without the per-row conflict check.
STAGED_INSERT = _STAGED_SELECT
STAGED_UPSERT = f"{_STAGED_SELECT}\n{_UPSERT}"


def snapshot_upsert(*, vendor: str, granularity: str, periods: list[Period], plan: MetricPlan, now,
                    scope: list[tuple[int, date]] | None = None, staged: bool = False) -> tuple[str, list]:
    """The statement and its parameters; `scope` limits it to (product id, period start) pairs. `staged`: a
    CREATE TEMPORARY TABLE … AS of the rows instead of the upsert (see snapshot_statements).

    One aggregate per needed period (UNION ALL), each over that period's own date range, so that PostgreSQL reads
    only that period's month partitions, with the period's start as a constant instead of a date_trunc per row.
    """
    pg = vendor == "postgresql"
    as_date = "%s::date" if pg else "%s"
    params: list = []
    per_rows = []
    for p in periods:
        per_rows.append(f"({as_date}, %s, {as_date}, {as_date})")
        params += [p.start, p.label, p.previous().start, p.last_year().start]
    scope_cte, product_filter, scope_join = "", "", ""
    if scope:
        scope_rows = [f"(%s, {as_date})"] * len(scope)
        scope_cte = f"scope(product_id, ps) AS (VALUES {', '.join(scope_rows)}),\n"
        params = [v for pair in scope for v in pair] + params
        product_filter = " AND o.product_id IN (SELECT product_id FROM scope)"
        scope_join = "JOIN scope ON scope.product_id = c.product_id AND scope.ps = per.ps"
    last_ids = _in_list(plan.by_aggregation.get("last", []))
    base_ids = [i for agg, ids in plan.by_aggregation.items() if agg != "derived" for i in ids]
    aggregates, branches = _aggregates(plan, vendor), []
    for each in needed_periods(periods):
        branches.append(f"SELECT o.product_id, o.metric_id, {as_date} AS ps, {aggregates} FROM kpis_observation o "
                        f"WHERE (o.date >= %s AND o.date < %s)"
                        f"{product_filter} GROUP BY o.product_id, o.metric_id")
        params += [each.start, each.start, each.end]
    if pg:
        base = f"""base AS (  -- the metric's own aggregation picked; `last` from the greatest (day, value) pair
  SELECT a.product_id, a.metric_id, a.ps, {_base_value(plan, vendor)} AS value FROM agg a
  WHERE a.metric_id IN ({_in_list(base_ids)})
),"""
    else:
        base = f"""base AS (  -- the metric's own aggregation picked; `last` by the table's key at the group's last date
  SELECT a.product_id, a.metric_id, a.ps, {_base_value(plan, vendor)} AS value FROM agg a
  WHERE a.metric_id NOT IN ({last_ids}) AND a.metric_id IN ({_in_list(base_ids)})
  UNION ALL
  SELECT a.product_id, a.metric_id, a.ps, l.value FROM agg a
  JOIN kpis_observation l ON l.product_id = a.product_id AND l.metric_id = a.metric_id AND l.date = a.last_date
  WHERE a.metric_id IN ({last_ids})
),"""
    union = "\n  UNION ALL ".join(branches)
    if pg and len(periods) > JOINED_PERIODS_MAX:  # the previous period's and last year's value beside each value:
        # window frames, one sort of the values and no self-join
        months = 1 if granularity == "month" else 3
        frame = "OVER (PARTITION BY v.product_id, v.metric_id ORDER BY v.ps RANGE BETWEEN INTERVAL '{n} months' " \
                "PRECEDING AND INTERVAL '{n} months' PRECEDING)"
        windows = (",\ncompared AS (\n  SELECT v.product_id, v.metric_id, v.ps, v.value, "
                   f"MAX(v.value) {frame.format(n=months)} AS previous_value,\n"
                   f"    MAX(v.value) {frame.format(n=12)} AS last_year_value FROM vals v\n)")
        compared = "compared"
        previous_joins = "CROSS JOIN LATERAL (SELECT c.previous_value AS value) p\n" \
                         "CROSS JOIN LATERAL (SELECT c.last_year_value AS value) y"
    else:  # a period or two (and SQLite): two hash joins on the few values are cheaper than the sort
        windows, compared = "", "vals"
        previous_joins = ("LEFT JOIN vals p ON p.product_id = c.product_id AND p.metric_id = c.metric_id "
                          "AND p.ps = per.prev_ps\n"
                          "LEFT JOIN vals y ON y.product_id = c.product_id AND y.metric_id = c.metric_id "
                          "AND y.ps = per.ly_ps")
    head = f"CREATE TEMPORARY TABLE {STAGING} ({', '.join(SNAPSHOT_COLUMNS)}) ON COMMIT DROP AS\n" if staged else ""
    insert = "" if staged else f"INSERT INTO kpis_snapshot ({', '.join(SNAPSHOT_COLUMNS)})\n"
    tail = "" if staged else f"ORDER BY c.product_id, c.metric_id, per.ps\n{_UPSERT}"
    statement = f"""{head}
WITH {scope_cte}per(ps, label, prev_ps, ly_ps) AS (VALUES {', '.join(per_rows)}),
agg AS (  -- every aggregation of the days of each product, metric and needed period
  {union}
),
{base}
{_derived_ctes(plan)}{windows}
{insert}SELECT c.product_id, c.metric_id, %s, per.label, per.ps, c.value, p.value,
  CASE WHEN c.value IS NULL OR p.value IS NULL OR p.value = 0 THEN NULL
       ELSE (c.value - p.value) * 100.0 / ABS(p.value) END,
  y.value,
  CASE WHEN c.value IS NULL OR y.value IS NULL OR y.value = 0 THEN NULL
       ELSE (c.value - y.value) * 100.0 / ABS(y.value) END,
  t.target_value, t.warning_threshold, t.critical_threshold,
  CASE WHEN t.id IS NULL OR c.value IS NULL THEN NULL
       WHEN m.direction = 'lower' THEN CASE WHEN c.value = 0 THEN NULL ELSE t.target_value * 100.0 / c.value END
       WHEN t.target_value = 0 THEN NULL ELSE c.value * 100.0 / t.target_value END,
  CASE WHEN t.id IS NULL OR c.value IS NULL THEN 'none'
       WHEN m.direction = 'lower' THEN CASE WHEN c.value > t.critical_threshold THEN 'red'
                                            WHEN c.value > t.warning_threshold THEN 'amber' ELSE 'green' END
       ELSE CASE WHEN c.value < t.critical_threshold THEN 'red'
                 WHEN c.value < t.warning_threshold THEN 'amber' ELSE 'green' END END,
  %s
FROM per JOIN {compared} c ON c.ps = per.ps
JOIN products_product pr ON pr.id = c.product_id  -- observations carry no foreign key
{scope_join}
JOIN kpis_metric m ON m.id = c.metric_id
{previous_joins}
LEFT JOIN kpis_target t ON t.product_id = c.product_id AND t.metric_id = c.metric_id
  AND t.granularity = %s AND t.period_start = per.ps
WHERE TRUE
{tail}"""
    params += [granularity, now, granularity]
    return statement, params
