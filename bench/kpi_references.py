"""Reference statements for the KPI snapshot benchmark: raw SQL written here, independent of kpis/sql.py, stating
the same values as the project's monthly snapshots:

- each base metric's month value (its aggregation read from kpis_metric; no metric id is written in; `last` is the
  value on the latest date of the month), previous month's value, last year's month value;
- the bench data's derived metrics (DERIVED: written here by code, not compiled from kpis_metric.formula by
  kpis.formulas; `check_formulas` refuses a database whose formulas differ);
- the change and year-on-year percentages, the month's target and thresholds, attainment and status.

Each is measured two ways (`statements`):
- **kept** (the aim's reference): CREATE TABLE AS into a logged table, then its primary key (product, metric,
  month): the fastest way we found for raw SQL to do the task's whole job, values that other sessions and the
  replica read, keyed, surviving a crash;
- **computed**: the same rows into a temporary table (no WAL, no key), what computing them alone costs.

Several ways of writing the values are kept so that the fastest can be chosen by measurement, not by belief:

    .venv/bin/python bench/kpi_references.py        # times every candidate, interleaved, on <name>_kpi_bench

prints the fastest of 3 runs of each and checks that they all produce the same rows. The benchmark
(bench/kpis_bench.py) times `MONTH_REFERENCES` (both, the faster kept) and `BACKFILL_REFERENCE`.
"""
from datetime import date

# `last` without a sort: the greatest [day number, value] pair of a group (arrays compare element by element,
# dates are unique within a group), its second element the value on the latest day.
PAIR = "ARRAY[(o.date - DATE '2000-01-01')::float8, o.value]"
PICK = ("CASE m.aggregation WHEN 'sum' THEN a.s{k} WHEN 'avg' THEN a.s{k} / a.n{k} WHEN 'max' THEN a.mx{k} "
        "WHEN 'min' THEN a.mn{k} ELSE a.l{k}[2] END")
# The benchmark data's derived metrics, by code, over revenue (r) and cost (c); a zero divisor gives no value.
DERIVED = {
    "profit": ("revenue - cost", "{r} - {c}"),
    "margin": ("(revenue - cost) * 100 / revenue", "({r} - {c}) * 100 / NULLIF({r}, 0)"),
}
# The session settings the project's snapshot statement runs with (kpis.services): the reference gets them too.
SESSION = ("SET work_mem = '64MB'", "SET jit = off")


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _months(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = _add_months(month, 1)
    return months


def check_formulas(cursor) -> None:
    """The derived metrics in the database are the ones written here, or the reference would state other values."""
    cursor.execute("SELECT code, formula FROM kpis_metric WHERE aggregation = 'derived' ORDER BY code")
    found = dict(cursor.fetchall())
    written = {code: formula for code, (formula, _sql) in DERIVED.items()}
    if found != written:
        raise SystemExit(f"the derived metrics changed ({found}); update bench/kpi_references.py DERIVED")


def statements(base: str, *, kept: bool) -> list[str]:
    """The whole snapshot rows over `base` (CTEs ending in `base(product_id, metric_id, month, value,
    previous_value, last_year_value)` of the base metrics in the months measured), into `bench_reference`."""
    def derived(code: str, column: str) -> str:
        return DERIVED[code][1].format(r=f"p.r{column}", c=f"p.c{column}")

    branches = "\n".join(
        f"  UNION ALL SELECT p.product_id, m.id, p.month, {derived(code, 'v')}, {derived(code, 'p')}, "
        f"{derived(code, 'y')} FROM pivot p JOIN kpis_metric m ON m.code = '{code}'" for code in DERIVED)
    select = f"""WITH {base},
pivot AS (  -- revenue and cost side by side, where both have a value this month
  SELECT * FROM (SELECT b.product_id, b.month,
    max(b.value) FILTER (WHERE m.code = 'revenue') AS rv, max(b.previous_value) FILTER (WHERE m.code = 'revenue') AS rp,
    max(b.last_year_value) FILTER (WHERE m.code = 'revenue') AS ry,
    max(b.value) FILTER (WHERE m.code = 'cost') AS cv, max(b.previous_value) FILTER (WHERE m.code = 'cost') AS cp,
    max(b.last_year_value) FILTER (WHERE m.code = 'cost') AS cy
    FROM base b JOIN kpis_metric m ON m.id = b.metric_id WHERE m.code IN ('revenue', 'cost') GROUP BY 1, 2) w
  WHERE rv IS NOT NULL AND cv IS NOT NULL),
v AS (SELECT * FROM base
{branches})
SELECT v.product_id, v.metric_id, v.month, v.value, v.previous_value,
  CASE WHEN v.previous_value <> 0 THEN (v.value - v.previous_value) * 100.0 / abs(v.previous_value) END AS change_pct,
  v.last_year_value,
  CASE WHEN v.last_year_value <> 0 THEN (v.value - v.last_year_value) * 100.0 / abs(v.last_year_value) END AS yoy_pct,
  t.target_value, t.warning_threshold, t.critical_threshold,
  CASE WHEN m.direction = 'lower' THEN t.target_value * 100.0 / NULLIF(v.value, 0)
       ELSE v.value * 100.0 / NULLIF(t.target_value, 0) END AS attainment_pct,
  CASE WHEN t.id IS NULL OR v.value IS NULL THEN 'none'
       WHEN m.direction = 'lower' AND v.value > t.critical_threshold
         OR m.direction <> 'lower' AND v.value < t.critical_threshold THEN 'red'
       WHEN m.direction = 'lower' AND v.value > t.warning_threshold
         OR m.direction <> 'lower' AND v.value < t.warning_threshold THEN 'amber'
       ELSE 'green' END AS status
FROM v JOIN kpis_metric m ON m.id = v.metric_id
LEFT JOIN kpis_target t ON t.product_id = v.product_id AND t.metric_id = v.metric_id AND t.granularity = 'month'
  AND t.period_start = v.month"""
    if not kept:
        return [f"CREATE TEMP TABLE bench_reference AS {select}"]
    return [f"CREATE TABLE bench_reference AS {select}",
            "ALTER TABLE bench_reference ADD PRIMARY KEY (product_id, metric_id, month)"]


# --- one month: the base values ----------------------------------------------------------------------------------

def month_filter(month: date) -> str:
    """FILTER aggregates over exactly the three months a month needs (its own, the previous, last year's), one
    hash aggregate per product and metric, `last` by the greatest (day, value) pair."""
    windows = [(month, _add_months(month, 1)), (_add_months(month, -1), month),
               (_add_months(month, -12), _add_months(month, -11))]
    columns = []
    for k, (start, end) in enumerate(windows):
        where = f"FILTER (WHERE o.date >= '{start}' AND o.date < '{end}')"
        columns += [f"sum(o.value) {where} AS s{k}", f"count(*) {where} AS n{k}", f"max(o.value) {where} AS mx{k}",
                    f"min(o.value) {where} AS mn{k}", f"max({PAIR}) {where} AS l{k}"]
    scan = " OR ".join(f"(o.date >= '{start}' AND o.date < '{end}')" for start, end in windows)
    return f"""base AS (
SELECT a.product_id, a.metric_id, DATE '{month}' AS month, {PICK.format(k=0)} AS value,
  {PICK.format(k=1)} AS previous_value, {PICK.format(k=2)} AS last_year_value
FROM (SELECT o.product_id, o.metric_id, {', '.join(columns)}
      FROM kpis_observation o WHERE {scan} GROUP BY o.product_id, o.metric_id) a
JOIN kpis_metric m ON m.id = a.metric_id
WHERE a.n0 > 0)"""


def month_three_aggregates(month: date) -> str:
    """One aggregate per needed month (each over its own partition), joined on (product, metric)."""
    def one(start):
        return (f"SELECT o.product_id, o.metric_id, sum(o.value) s, count(*) n, max(o.value) mx, min(o.value) mn, "
                f"max({PAIR}) l FROM kpis_observation o WHERE o.date >= '{start}' AND o.date < "
                f"'{_add_months(start, 1)}' GROUP BY o.product_id, o.metric_id")
    pick = PICK.replace("{k}", "")
    return f"""c AS ({one(month)}), p AS ({one(_add_months(month, -1))}), y AS ({one(_add_months(month, -12))}),
base AS (
SELECT c.product_id, c.metric_id, DATE '{month}' AS month, {pick.replace('a.', 'c.')} AS value,
  {pick.replace('a.', 'p.')} AS previous_value, {pick.replace('a.', 'y.')} AS last_year_value
FROM c JOIN kpis_metric m ON m.id = c.metric_id
LEFT JOIN p ON p.product_id = c.product_id AND p.metric_id = c.metric_id
LEFT JOIN y ON y.product_id = c.product_id AND y.metric_id = c.metric_id)"""


def month_ordered_aggregate(month: date) -> str:
    """The benchmark's first reference: monthly aggregates with `last` by array_agg(… ORDER BY date DESC)[1] (a sort
    of every observation), self-joined for the previous month and last year."""
    return _ordered_aggregate(month, month)


# --- many months: monthly aggregates, then the previous and last year's value ------------------------------------

def _monthly_union(first: date, last: date) -> str:
    branches = [f"SELECT o.product_id, o.metric_id, DATE '{m}' AS month, sum(o.value) s, count(*) n, "
                f"max(o.value) mx, min(o.value) mn, max({PAIR}) l FROM kpis_observation o "
                f"WHERE o.date >= '{m}' AND o.date < '{_add_months(m, 1)}' GROUP BY o.product_id, o.metric_id"
                for m in _months(_add_months(first, -12), last)]
    return (f"monthly AS (SELECT a.product_id, a.metric_id, a.month, {PICK.replace('{k}', '')} AS value\n"
            f"  FROM ({' UNION ALL '.join(branches)}) a JOIN kpis_metric m ON m.id = a.metric_id)")


def _monthly_trunc(first: date, last: date) -> str:
    return (f"monthly AS (SELECT a.product_id, a.metric_id, a.month, {PICK.replace('{k}', '')} AS value FROM (\n"
            f"  SELECT o.product_id, o.metric_id, date_trunc('month', o.date)::date AS month, sum(o.value) s, "
            f"count(*) n, max(o.value) mx, min(o.value) mn, max({PAIR}) l FROM kpis_observation o\n"
            f"  WHERE o.date >= '{_add_months(first, -12)}' AND o.date < '{_add_months(last, 1)}' GROUP BY 1, 2, 3) a\n"
            f"  JOIN kpis_metric m ON m.id = a.metric_id)")


def _joined(first: date, last: date) -> str:
    return f"""base AS (
SELECT c.product_id, c.metric_id, c.month, c.value, p.value AS previous_value, y.value AS last_year_value
FROM monthly c
LEFT JOIN monthly p ON p.product_id = c.product_id AND p.metric_id = c.metric_id
  AND p.month = (c.month - interval '1 month')::date
LEFT JOIN monthly y ON y.product_id = c.product_id AND y.metric_id = c.metric_id
  AND y.month = (c.month - interval '12 months')::date
WHERE c.month >= '{first}' AND c.month <= '{last}')"""


def _windowed(first: date, last: date) -> str:
    frame = ("OVER (PARTITION BY c.product_id, c.metric_id ORDER BY c.month RANGE BETWEEN interval '{n}' PRECEDING "
             "AND interval '{n}' PRECEDING)")
    return f"""base AS (
SELECT * FROM (SELECT c.product_id, c.metric_id, c.month, c.value,
  max(c.value) {frame.format(n='1 month')} AS previous_value,
  max(c.value) {frame.format(n='12 months')} AS last_year_value
  FROM monthly c) w
WHERE w.month >= '{first}' AND w.month <= '{last}')"""


def months_union_window(first: date, last: date) -> str:
    """One aggregate per month (each over its own partition, the month a constant), the previous and last year's
    value by window frames exactly one and twelve months back (one sort, no self-join; right with gaps too)."""
    return f"{_monthly_union(first, last)},\n{_windowed(first, last)}"


def months_union_joins(first: date, last: date) -> str:
    return f"{_monthly_union(first, last)},\n{_joined(first, last)}"


def months_trunc_window(first: date, last: date) -> str:
    """One aggregate over all the months grouped by date_trunc('month', date), window frames."""
    return f"{_monthly_trunc(first, last)},\n{_windowed(first, last)}"


def months_trunc_joins(first: date, last: date) -> str:
    return f"{_monthly_trunc(first, last)},\n{_joined(first, last)}"


def _ordered_aggregate(first: date, last: date) -> str:
    if first == last:
        where = " OR ".join(f"(o.date >= '{s}' AND o.date < '{_add_months(s, 1)}')"
                            for s in (_add_months(first, -12), _add_months(first, -1), first))
    else:
        where = f"o.date >= '{_add_months(first, -12)}' AND o.date < '{_add_months(last, 1)}'"
    return f"""monthly AS (
  SELECT o.product_id, o.metric_id, date_trunc('month', o.date)::date AS month,
         CASE m.aggregation WHEN 'sum' THEN sum(o.value) WHEN 'avg' THEN avg(o.value) WHEN 'max' THEN max(o.value)
              WHEN 'min' THEN min(o.value) ELSE (array_agg(o.value ORDER BY o.date DESC))[1] END AS value
  FROM kpis_observation o JOIN kpis_metric m ON m.id = o.metric_id
  WHERE {where} AND m.aggregation <> 'derived'
  GROUP BY o.product_id, o.metric_id, month, m.aggregation
),
{_joined(first, last)}"""


def months_ordered_aggregate(first: date, last: date) -> str:
    return _ordered_aggregate(first, last)


MONTH_CANDIDATES = {"filter": month_filter, "three_aggregates": month_three_aggregates,
                    "ordered_aggregate (first reference)": month_ordered_aggregate}
BACKFILL_CANDIDATES = {"union_window": months_union_window, "union_joins": months_union_joins,
                       "trunc_window": months_trunc_window, "trunc_joins": months_trunc_joins,
                       "ordered_aggregate (first reference)": months_ordered_aggregate}
# For one month the two fastest are within noise of each other: the benchmark times both, keeps the faster.
MONTH_REFERENCES = (month_filter, month_three_aggregates)
BACKFILL_REFERENCE = months_union_window


def main():
    import os
    import sys
    import time
    from urllib.parse import urlparse, urlunparse

    import psycopg

    url = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bankpm"))
    if not url.path.endswith("_kpi_bench"):
        url = url._replace(path=url.path + "_kpi_bench")
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    conn = psycopg.connect(urlunparse(url), autocommit=True)
    for setting in SESSION:
        conn.execute(setting)
    check_formulas(conn.cursor())
    month, first, last = date(2026, 6, 1), date(2024, 7, 1), date(2026, 6, 1)
    for label, candidates, args in (("one month", MONTH_CANDIDATES, (month,)),
                                    ("24-month backfill", BACKFILL_CANDIDATES, (first, last))):
        times, digests = {}, {}
        for _ in range(runs):
            for name, build in candidates.items():
                for kept in (False, True):
                    key = f"{name}, {'kept' if kept else 'computed'}"
                    conn.execute("DROP TABLE IF EXISTS bench_reference")
                    start = time.perf_counter()
                    with conn.transaction():
                        for statement in statements(build(*args), kept=kept):
                            conn.execute(statement)
                    times.setdefault(key, []).append(time.perf_counter() - start)
                    digests[key] = conn.execute(
                        "SELECT count(*), round(sum(value)::numeric, 4), round(sum(previous_value)::numeric, 4), "
                        "round(sum(last_year_value)::numeric, 4), count(*) FILTER (WHERE status = 'red') "
                        "FROM bench_reference").fetchone()
        conn.execute("DROP TABLE IF EXISTS bench_reference")
        print(f"{label} (load {' '.join(f'{x:.2f}' for x in os.getloadavg())}):")
        for name, values in sorted(times.items(), key=lambda item: min(item[1])):
            print(f"  {name:50s} fastest {min(values):.3f} s  ({', '.join(f'{v:.3f}' for v in values)})  "
                  f"{digests[name]}")
        if len(set(digests.values())) != 1:
            sys.exit(f"the {label} candidates disagree")


if __name__ == "__main__":
    main()
