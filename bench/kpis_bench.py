"""KPI benchmark (not part of the test suite), run by `make bench` (bench/__main__.py) or alone:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bankpm_kpi_bench .venv/bin/python bench/kpis_bench.py

The database is a scratch one, kept between runs because generating its data takes minutes: 1,000 products ×
730 days × 10 metrics (7.3 M observations, generate_series into the month partitions). Each pair below is
measured in the same run against a reference written here, independent of the project's SQL:
(a) one month's snapshots for all products, and the 24-month backfill, through the Celery task, against one
    minimal raw statement (an aggregate over the observations with the previous and last-year values, materialised
    with CREATE TEMP TABLE AS), checked equal to the project's snapshots on every row of the month;
(b) ingestion of 100,000 observations through the API in 10,000-item requests, against COPY into a table keyed
    (product, metric, date), then the recomputation of what it marked stale;
(c) the portfolio dashboard (1,000 products) and a product's KPI page: median time and query count;
(d) the table's bytes per row in the new layout and in the old one (id, unique key and three indexes).
The last line printed is a JSON object of the results, read by bench/__main__.py.
"""
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankpm.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bankpm_kpi_bench")
os.environ["DJANGO_DEBUG"] = "0"  # no query log growing in memory
# The tasks run in this process through apply(), their normal code path. With a broker (bench/__main__.py passes
# CELERY_BROKER_URL) they hand what other workers do (the alert e-mails) to the broker, as a worker does; without
# one Celery is eager and the e-mails are sent inline, inside the measured time.
BROKER = os.environ.get("CELERY_BROKER_URL", "")
EMAILS = "alert e-mails published to the broker" if BROKER else "alert e-mails sent inline (no broker)"
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

PRODUCTS, DAYS = 1000, 730
FIRST_DAY = date(2024, 7, 1)  # 730 days: 2024-07-01 … 2026-06-30
MONTH = "2026-06"
METRICS = ["active_customers", "new_customers", "balance", "sales_volume", "revenue", "cost", "csat", "complaints",
           "default_rate", "market_share"]
RUNS = int(os.environ.get("BENCH_RUNS", "2"))
# BENCH_PARTS=ingest,pages runs only those measures (all by default): month, backfill, ingest, pages.
PARTS = set(os.environ.get("BENCH_PARTS", "month,backfill,ingest,pages").split(","))
RESULTS: dict = {}


def log(text):
    print(text, flush=True)


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def ensure_database():
    """Create the scratch database if it does not exist (it is kept: its data takes minutes to generate)."""
    from urllib.parse import urlparse

    import psycopg

    url = urlparse(os.environ["DATABASE_URL"])
    admin = psycopg.connect(host=url.hostname, port=url.port or 5432, user=url.username, password=url.password,
                            dbname="postgres", autocommit=True)
    name = url.path.lstrip("/")
    if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        admin.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def generate():
    from django.core.management import call_command

    from kpis.models import Observation
    from kpis.partitions import observation_partitions_ensure

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE kpis_alert, kpis_snapshot, kpis_staleperiod, notifications_notification CASCADE")
    observation_partitions_ensure(first=FIRST_DAY - timedelta(days=366), last=FIRST_DAY + timedelta(days=DAYS + 90))
    expected = PRODUCTS * DAYS * len(METRICS)
    if Observation.objects.filter(date__lt=FIRST_DAY + timedelta(days=DAYS)).count() == expected:
        Observation.objects.filter(date__gte=FIRST_DAY + timedelta(days=DAYS)).delete()
        vacuum()
        log(f"re-using the {expected:,} generated observations")
        return expected
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE kpis_target, kpis_observation")
        cursor.execute("DELETE FROM products_product_sales_channels")
        cursor.execute("DELETE FROM products_product WHERE code LIKE 'BENCH-%%'")
    from accounts.models import User
    from products.models import Product

    owner, _ = User.objects.get_or_create(username="bench_pm", defaults={"role": "product_manager"})
    Product.objects.bulk_create([
        Product(code=f"BENCH-{i:04d}", name=f"基准产品{i}", category="loan", owner=owner, risk_rating="R2",
                stage="operation") for i in range(PRODUCTS)])
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO kpis_observation (product_id, metric_id, date, value, source)
            SELECT p.id, m.id, %s::date + g.i, (50 + (p.id %% 50) + random() * 10)::float8, 'api'
            FROM products_product p CROSS JOIN kpis_metric m CROSS JOIN generate_series(0, %s) AS g(i)
            WHERE p.code LIKE 'BENCH-%%' AND m.code = ANY(%s)""", [FIRST_DAY, DAYS - 1, METRICS])
        rows = cursor.rowcount
        # Monthly targets on two metrics so that statuses and alerts are exercised (a few red).
        cursor.execute("""
            INSERT INTO kpis_target (product_id, metric_id, granularity, period_start, target_value,
                                     warning_threshold, critical_threshold)
            SELECT p.id, m.id, 'month', (date '2024-07-01' + make_interval(months => g.k))::date,
                   CASE m.code WHEN 'revenue' THEN 1600 ELSE 60 END,
                   CASE m.code WHEN 'revenue' THEN 1500 ELSE 80 END,
                   CASE m.code WHEN 'revenue' THEN 1400 ELSE 104 END
            FROM products_product p CROSS JOIN kpis_metric m CROSS JOIN generate_series(0, 23) AS g(k)
            WHERE p.code LIKE 'BENCH-%%' AND m.code IN ('revenue', 'default_rate')""")
        cursor.execute("ANALYZE kpis_target")
    vacuum()
    log(f"generated {rows:,} observations in {time.perf_counter() - start:.1f} s")
    return rows


def vacuum():
    """What autovacuum does to a loaded table: statistics and the visibility map (index-only scans)."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) kpis_observation")


# --- the reference: the fastest raw statement we could write, held in bench/kpi_references.py ----------------------

def reference_seconds(first: date, last: date) -> tuple[float, float, int, list[str]]:
    """Time the reference for the months first … last (month starts); returns the fastest kept time, the fastest
    computed time (bench/kpi_references.py says what each is), the row count and the kept tables left for the
    check (bench_reference_0 …).

    One month: the two fastest ways of writing it (FILTER aggregates over its three months, or one aggregate per
    month joined), each kept and computed, each kept table checked equal to the project's snapshots afterwards.
    Many months: one aggregate per month with window frames. With the session settings the project's statement
    gets."""
    from kpi_references import BACKFILL_REFERENCE, MONTH_REFERENCES, SESSION, check_formulas, statements

    builds = [build(first) for build in MONTH_REFERENCES] if first == last else [BACKFILL_REFERENCE(first, last)]
    kept, computed, tables = [], [], []
    with connection.cursor() as cursor:
        check_formulas(cursor)
        for setting in SESSION:
            cursor.execute(setting)
        for index, base in enumerate(builds):
            for keep in (False, True):
                cursor.execute(f"DROP TABLE IF EXISTS bench_reference, bench_reference_{index}")
                start = time.perf_counter()
                with transaction.atomic():
                    for statement in statements(base, kept=keep):
                        cursor.execute(statement)
                (kept if keep else computed).append(time.perf_counter() - start)
            cursor.execute(f"ALTER TABLE bench_reference RENAME TO bench_reference_{index}")
            tables.append(f"bench_reference_{index}")
        cursor.execute("RESET work_mem")
        cursor.execute("RESET jit")
        cursor.execute(f"SELECT count(*) FROM {tables[0]}")
        return min(kept), min(computed), cursor.fetchone()[0], tables


# Every value the snapshot holds, compared within a relative 1e-9 (NULL only with NULL), and the status.
_COMPARED = ("value", "previous_value", "change_pct", "last_year_value", "yoy_pct", "target_value",
             "warning_threshold", "critical_threshold", "attainment_pct")


def check_equal(first: date, last: date, tables: list[str]) -> int:
    """Rows of the references that differ from the project's snapshot in any value or the status, or that have no
    snapshot, plus snapshots of those months that no reference row states."""
    return sum(_check_table(first, last, table) for table in tables)


def _check_table(first: date, last: date, table: str) -> int:
    differs = " OR ".join(f"(s.{c} IS NULL) <> (r.{c} IS NULL) OR abs(s.{c} - r.{c}) > 1e-9 * greatest(1, abs(r.{c}))"
                          for c in _COMPARED)
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT count(*) FILTER (WHERE s.id IS NULL OR s.status <> r.status OR {differs}),
                   count(s.id) FROM {table} r
            LEFT JOIN kpis_snapshot s ON s.product_id = r.product_id AND s.metric_id = r.metric_id
              AND s.granularity = 'month' AND s.period_start = r.month
            WHERE r.month >= %s AND r.month <= %s""", [first, last])
        wrong, matched = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM kpis_snapshot WHERE granularity = 'month' AND period_start >= %s "
                       "AND period_start <= %s", [first, last])
        return wrong + cursor.fetchone()[0] - matched


def bench_month(run, pairs=3):
    """Three interleaved pairs (reference, task); the ratio of the fastest of each (the machine is shared)."""
    from kpis.periods import parse_period
    from kpis.tasks import compute_kpi_snapshots

    month = parse_period(MONTH, "month").start
    tasks, references, computed = [], [], []
    for _ in range(pairs):
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE kpis_alert, kpis_snapshot CASCADE")
        reference, compute_only, ref_rows, tables = reference_seconds(month, month)
        task, _ = timed(compute_kpi_snapshots.apply, args=[MONTH, "month"])
        wrong = check_equal(month, month, tables)
        assert wrong == 0, f"{wrong} of {ref_rows} rows differ from the reference"
        drop_tables(tables)
        tasks.append(task)
        references.append(reference)
        computed.append(compute_only)
    purge_published()
    task, reference, compute_only = min(tasks), min(references), min(computed)
    each = ", ".join(f"{t:.2f}/{r:.2f}" for t, r in zip(tasks, references, strict=True))
    log(f"(a) run {run}: one month, {ref_rows:,} reference rows all equal: task {task:.2f} s, reference kept "
        f"{reference:.2f} s (fastest of {pairs} pairs task/reference: {each}), ratio {task / reference:.2f} "
        f"(aim ≤ 1.5); reference computed only {compute_only:.2f} s, ratio {task / compute_only:.2f}; {EMAILS}")
    return task, reference, compute_only


def worker_backfill():
    """Run in a child process started as a Celery worker process starts (bankpm.celery.warm_up, what the
    worker_process_init signal runs before a worker takes its first task): the 24-month backfill through the task,
    then report time and peak RSS."""
    from bankpm.celery import warm_up
    from kpis.tasks import compute_kpi_snapshots

    warm_up()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    elapsed, result = timed(compute_kpi_snapshots.apply, args=["2024-07", "month"], kwargs={"through": "2026-06"})
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": elapsed, "peak_kb": peak, "baseline_kb": baseline, "result": result.result}))


def bench_backfill(run):
    first, last = date(2024, 7, 1), date(2026, 6, 1)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE kpis_alert, kpis_snapshot CASCADE")
    reference, compute_only, ref_rows, tables = reference_seconds(first, last)
    out = subprocess.run([sys.executable, __file__, "--worker-backfill"], capture_output=True, text=True, check=True,
                         env=os.environ.copy())
    data = json.loads(out.stdout.strip().splitlines()[-1])
    purge_published()
    wrong = check_equal(first, last, tables)
    assert wrong == 0, f"{wrong} of {ref_rows} rows differ from the reference"
    drop_tables(tables)
    log(f"(a) run {run}: 24-month backfill, {data['result']['snapshots']:,} snapshots "
        f"({ref_rows:,} reference rows all equal), {data['result']['alerts_opened']} alerts: "
        f"task {data['seconds']:.2f} s, reference kept {reference:.2f} s, ratio {data['seconds'] / reference:.2f} "
        f"(aim ≤ 1.5); reference computed only {compute_only:.2f} s, ratio {data['seconds'] / compute_only:.2f}; "
        f"worker peak RSS {data['peak_kb'] / 1024:.0f} MB")
    return data, reference, compute_only


def drop_tables(tables: list[str]) -> None:
    """The kept references are real tables: gone once checked."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join(tables)}")


def purge_published():
    """Drop what the measured tasks published for other workers (the alert e-mails): nobody consumes it here."""
    if BROKER:
        from bankpm.celery import app

        app.control.purge()


def _bench_items(n):
    codes = [f"BENCH-{i:04d}" for i in range(100)]
    day0 = FIRST_DAY + timedelta(days=DAYS + 30)
    return [{"product": codes[i % 100], "metric": METRICS[(i // 100) % 10], "date": (day0 + timedelta(
        days=i // 1000)).isoformat(), "value": 10.0 + (i % 89)} for i in range(n)]  # within every range (≤ 100)


def bench_ingest(run):
    from django.core.cache import cache
    from django.test import Client

    from accounts.models import User
    from kpis import services
    from kpis.models import Observation, StalePeriod

    admin, _ = User.objects.get_or_create(username="bench_admin", defaults={"role": "administrator"})
    client = Client()
    client.force_login(admin)
    items = _bench_items(100_000)
    day0 = FIRST_DAY + timedelta(days=DAYS + 30)
    Observation.objects.filter(date__gte=day0).delete()
    StalePeriod.objects.all().delete()
    # The previous run's rows were just deleted: without a vacuum their dead index entries, with exactly the keys
    # about to be inserted, make every unique check visit the heap (COPY 3-5× slower than into a fresh table, which
    # is what the reference gets). New days arrive into partitions without dead duplicates; vacuum, as autovacuum
    # would have.
    vacuum()
    bodies = [json.dumps(items[k:k + 10_000]) for k in range(0, len(items), 10_000)]
    # A served process is warm: the test client's first request builds the middleware (WhiteNoise scans the static
    # files) and imports the views, a second or more that is no part of ingesting.
    warm = client.post("/api/v1/metrics/observations/?dry_run=true", bodies[0], content_type="application/json")
    assert warm.status_code == 200, warm.content[:500]
    # As in production the recomputation is queued with a delay, not run inside the request: mark it queued.
    cache.set(services._STALE_SCHEDULED_KEY, 1, timeout=3600)
    start = time.perf_counter()
    for body in bodies:
        response = client.post("/api/v1/metrics/observations/", body, content_type="application/json")
        assert response.status_code == 200, response.content[:500]
    api = time.perf_counter() - start
    marks = StalePeriod.objects.count()
    recompute, result = timed(services.kpi_snapshots_recompute_stale)
    # Reference: COPY of the same rows into a table keyed (product, metric, date), the faster of the text and the
    # binary format.
    from copy_reference import time_copy_formats

    products, metrics = _ids()
    with connection.cursor() as cursor:
        formats = time_copy_formats(
            cursor, table="bench_copy",
            create="CREATE TABLE bench_copy (product_id bigint, metric_id bigint, date date, value float8, "
                   "source varchar(10), PRIMARY KEY (product_id, metric_id, date))",
            types=["int8", "int8", "date", "float8", "varchar"],
            rows=lambda: ((products[item["product"]], metrics[item["metric"]], date.fromisoformat(item["date"]),
                           item["value"], "api") for item in items))
    raw, fastest = min(formats.values()), min(formats, key=formats.get)
    log(f"(b) run {run}: ingestion of 100,000 observations: API {api:.2f} s ({100_000 / api:,.0f} rows/s, aim ≥ "
        f"100,000), COPY {raw:.2f} s ({fastest}; {100_000 / raw:,.0f} rows/s), ratio API/COPY {raw / api:.2f} "
        f"(aim ≥ 0.25); {marks:,} stale marks recomputed in {recompute:.2f} s ({result.snapshots:,} snapshots)")
    return api, raw, recompute


def _ids():
    from kpis.models import Metric
    from products.models import Product

    return (dict(Product.objects.filter(code__startswith="BENCH-").values_list("code", "id")),
            dict(Metric.objects.values_list("code", "id")))


def measure(fn, runs=9):
    from django.test.utils import CaptureQueriesContext

    fn()
    times, counts = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        counts.append(len(ctx))
    return statistics.median(times), max(counts)


def bench_pages():
    from django.test import Client

    from accounts.models import User
    from kpis.tasks import compute_kpi_snapshots
    from products.models import Product

    compute_kpi_snapshots.apply(args=["2025-07", "month"], kwargs={"through": "2026-06"})
    admin, _ = User.objects.get_or_create(username="bench_admin", defaults={"role": "administrator"})
    client = Client()
    client.force_login(admin)
    product = Product.objects.filter(code="BENCH-0001").first()

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    dashboard = measure(lambda: get("/kpis/"))
    page = measure(lambda: get(f"/kpis/products/{product.pk}/"))
    log(f"(c) dashboard, {PRODUCTS:,} products: {dashboard[0]:.1f} ms median, {dashboard[1]} queries; "
        f"product KPI page (24 months × 12 metrics): {page[0]:.1f} ms, {page[1]} queries")
    return dashboard, page


def bytes_per_row():
    """The new layout (sum of the partitions, indexes included) and the old one on a 100-product sample."""
    with connection.cursor() as cursor:
        cursor.execute("""SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('kpis_observation')""")
        new_bytes = float(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM kpis_observation")
        rows = cursor.fetchone()[0]
        cursor.execute("DROP TABLE IF EXISTS bench_old_layout")
        cursor.execute("""
            CREATE TABLE bench_old_layout (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
              date date NOT NULL, value double precision NOT NULL, source varchar(10) NOT NULL,
              metric_id bigint NOT NULL, product_id bigint NOT NULL)""")
        cursor.execute("""INSERT INTO bench_old_layout (date, value, source, metric_id, product_id)
            SELECT date, value, source, metric_id, product_id FROM kpis_observation
            WHERE product_id IN (SELECT id FROM products_product WHERE code LIKE 'BENCH-%%' ORDER BY id LIMIT 100)""")
        sample = cursor.rowcount
        for ddl in ("CREATE UNIQUE INDEX ON bench_old_layout (product_id, metric_id, date)",
                    "CREATE INDEX ON bench_old_layout (date)", "CREATE INDEX ON bench_old_layout (product_id)",
                    "CREATE INDEX ON bench_old_layout (metric_id)"):
            cursor.execute(ddl)
        cursor.execute("SELECT pg_total_relation_size('bench_old_layout')")
        old_bytes = float(cursor.fetchone()[0])
        cursor.execute("DROP TABLE bench_old_layout")
    log(f"(d) bytes per observation: {new_bytes / rows:.0f} now (composite key, month partitions, {rows:,} rows), "
        f"{old_bytes / sample:.0f} in the old layout (id, unique key, date, product and metric indexes; "
        f"{sample:,}-row sample)")
    return new_bytes / rows, old_bytes / sample


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main():
    ensure_database()
    generate()
    out = {"load_before": load_average(), "month": [], "backfill": [], "ingest": []}
    for run in range(1, RUNS + 1):
        if "month" in PARTS:
            task, ref, compute_only = bench_month(run)
            out["month"].append({"task": task, "reference": ref, "computed": compute_only})
        if "backfill" in PARTS:
            data, ref, compute_only = bench_backfill(run)
            out["backfill"].append({"task": data["seconds"], "reference": ref, "computed": compute_only,
                                    "peak_mb": data["peak_kb"] / 1024,
                                    "snapshots": data["result"]["snapshots"]})
        if "ingest" in PARTS:
            api, raw, recompute = bench_ingest(run)
            out["ingest"].append({"api": api, "copy": raw, "recompute": recompute, "load": load_average()})
    if "pages" in PARTS:
        (dash_ms, dash_q), (page_ms, page_q) = bench_pages()
        out["pages"] = {"dashboard_ms": dash_ms, "dashboard_queries": dash_q, "product_ms": page_ms,
                        "product_queries": page_q, "load": load_average()}
    new, old = bytes_per_row()
    out["bytes_per_row"] = {"new": new, "old": old}
    out["load_after"] = load_average()
    log(f"load average: {out['load_before']} before, {out['load_after']} after")
    print("RESULTS " + json.dumps(out), flush=True)


if __name__ == "__main__":
    if "--worker-backfill" in sys.argv:
        worker_backfill()
    elif "--generate" in sys.argv:
        ensure_database()
        generate()
    else:
        main()
