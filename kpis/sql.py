"""The snapshot statement: one INSERT … SELECT … ON CONFLICT per period, portable to PostgreSQL and SQLite.

Observations are aggregated in the database for three windows (b = 0 current, 1 previous, 2 same period last
year); derived metrics are computed from the aggregated revenue and cost; then the target of the period decides
attainment and status. No observation ever travels to Python.
"""

_WINDOW = """
SELECT a.product_id, a.metric_id, {b} AS b,
  CASE a.aggregation WHEN 'sum' THEN a.v_sum WHEN 'avg' THEN a.v_avg WHEN 'max' THEN a.v_max WHEN 'min' THEN a.v_min
  ELSE (SELECT o2.value FROM kpis_observation o2
        WHERE o2.product_id = a.product_id AND o2.metric_id = a.metric_id AND o2.date = a.last_date) END AS value
FROM (
  SELECT o.product_id, o.metric_id, m.aggregation, SUM(o.value) AS v_sum, AVG(o.value) AS v_avg,
         MAX(o.value) AS v_max, MIN(o.value) AS v_min, MAX(o.date) AS last_date
  FROM kpis_observation o JOIN kpis_metric m ON m.id = o.metric_id
  WHERE o.date >= %(s{b})s AND o.date < %(e{b})s AND m.aggregation <> 'derived'
  GROUP BY o.product_id, o.metric_id, m.aggregation
) a"""

SELECT_VALUES = (
    "WITH base AS (" + " UNION ALL ".join(_WINDOW.format(b=b) for b in range(3)) + """),
rc AS (
  SELECT product_id, b, MAX(CASE WHEN metric_id = %(revenue)s THEN value END) AS rev,
         MAX(CASE WHEN metric_id = %(cost)s THEN value END) AS cost
  FROM base WHERE metric_id IN (%(revenue)s, %(cost)s) GROUP BY product_id, b
),
allv AS (
  SELECT product_id, metric_id, b, value FROM base
  UNION ALL SELECT product_id, %(profit)s, b, rev - cost FROM rc WHERE rev IS NOT NULL AND cost IS NOT NULL
  UNION ALL SELECT product_id, %(margin)s, b, CASE WHEN rev = 0 THEN NULL ELSE (rev - cost) * 100.0 / rev END
            FROM rc WHERE rev IS NOT NULL AND cost IS NOT NULL
),
pv AS (
  SELECT product_id, metric_id, MAX(CASE WHEN b = 0 THEN value END) AS cur,
         MAX(CASE WHEN b = 1 THEN value END) AS prev, MAX(CASE WHEN b = 2 THEN value END) AS ly,
         SUM(CASE WHEN b = 0 THEN 1 ELSE 0 END) AS n_cur
  FROM allv GROUP BY product_id, metric_id
)""")

_COLUMNS = (
    "product_id, metric_id, granularity, period, period_start, value, previous_value, change_pct, last_year_value, "
    "yoy_pct, target_value, warning_threshold, critical_threshold, attainment_pct, status, computed_at"
)

SNAPSHOT_SELECT = """
SELECT pv.product_id, pv.metric_id, %(granularity)s AS granularity, %(label)s AS period, %(s0)s AS period_start,
  pv.cur AS value, pv.prev AS previous_value,
  CASE WHEN pv.cur IS NULL OR pv.prev IS NULL OR pv.prev = 0 THEN NULL
       ELSE (pv.cur - pv.prev) * 100.0 / ABS(pv.prev) END AS change_pct,
  pv.ly AS last_year_value,
  CASE WHEN pv.cur IS NULL OR pv.ly IS NULL OR pv.ly = 0 THEN NULL
       ELSE (pv.cur - pv.ly) * 100.0 / ABS(pv.ly) END AS yoy_pct,
  t.target_value, t.warning_threshold, t.critical_threshold,
  CASE WHEN t.id IS NULL OR pv.cur IS NULL THEN NULL
       WHEN m.direction = 'lower' THEN CASE WHEN pv.cur = 0 THEN NULL ELSE t.target_value * 100.0 / pv.cur END
       WHEN t.target_value = 0 THEN NULL ELSE pv.cur * 100.0 / t.target_value END AS attainment_pct,
  CASE WHEN t.id IS NULL OR pv.cur IS NULL THEN 'none'
       WHEN m.direction = 'lower' THEN CASE WHEN pv.cur > t.critical_threshold THEN 'red'
                                            WHEN pv.cur > t.warning_threshold THEN 'amber' ELSE 'green' END
       ELSE CASE WHEN pv.cur < t.critical_threshold THEN 'red'
                 WHEN pv.cur < t.warning_threshold THEN 'amber' ELSE 'green' END END AS status,
  %(now)s AS computed_at
FROM pv JOIN kpis_metric m ON m.id = pv.metric_id
LEFT JOIN kpis_target t ON t.product_id = pv.product_id AND t.metric_id = pv.metric_id
  AND t.granularity = %(granularity)s AND t.period_start = %(s0)s
WHERE pv.n_cur > 0
ORDER BY pv.product_id, pv.metric_id"""

_UPDATED = [c.strip() for c in _COLUMNS.split(",")][5:]

UPSERT_SNAPSHOTS = (
    SELECT_VALUES + f"\nINSERT INTO kpis_snapshot ({_COLUMNS})" + SNAPSHOT_SELECT
    + "\nON CONFLICT (product_id, metric_id, granularity, period_start) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _UPDATED)
)
