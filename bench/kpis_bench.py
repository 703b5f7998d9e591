"""KPI benchmark (not part of the test suite). Needs a scratch PostgreSQL database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bankpm_kpi_bench .venv/bin/python bench/kpis_bench.py

1,000 products × 730 days × 10 metrics (7.3 M observations, generated with generate_series), then:
(a) month snapshots of one month for all products, and a 24-month backfill, through the Celery task code path,
    against the floor: the bare SELECT of the same aggregate materialised with CREATE TABLE AS (same numbers);
(b) ingestion of 100,000 observations through the API in 10,000-item requests against COPY of the same rows;
(c) peak RSS of the process running the backfill task (a child process, as a worker would be).
"""
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankpm.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bankpm_kpi_bench")
os.environ["DJANGO_DEBUG"] = "0"  # no query log growing in memory
os.environ["CELERY_BROKER_URL"] = ""  # tasks run in-process through their normal code path (apply)
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

PRODUCTS, DAYS = 1000, 730
FIRST_DAY = date(2024, 7, 1)  # 730 days: 2024-07-01 … 2026-06-30
MONTH = "2026-06"
METRICS = ["active_customers", "new_customers", "balance", "sales_volume", "revenue", "cost", "csat", "complaints",
           "default_rate", "market_share"]


def log(text):
    print(text, flush=True)


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def generate():
    from django.core.management import call_command

    from kpis.models import Observation

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE kpis_alert, kpis_snapshot, notifications_notification")
    expected = PRODUCTS * DAYS * len(METRICS)
    if Observation.objects.filter(date__lt=FIRST_DAY + timedelta(days=DAYS)).count() == expected:
        Observation.objects.filter(date__gte=FIRST_DAY + timedelta(days=DAYS)).delete()
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
        cursor.execute("ANALYZE kpis_observation")
        cursor.execute("ANALYZE kpis_target")
    log(f"generated {rows:,} observations in {time.perf_counter() - start:.1f} s")
    return rows


def floor_seconds(period) -> tuple[float, int]:
    """The same aggregate as a bare SELECT materialised into a temp table: no upsert, no alerts, no task."""
    from django.utils import timezone

    from kpis import services, sql

    statement = "CREATE TEMP TABLE bench_floor AS " + sql.SELECT_VALUES + sql.SNAPSHOT_SELECT
    with transaction.atomic(), connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute(statement, services.snapshot_params(period, timezone.now()))
        elapsed = time.perf_counter() - start
        cursor.execute("SELECT count(*) FROM bench_floor")
        count = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_floor")
    return elapsed, count


def bench_month():
    from kpis.models import Snapshot
    from kpis.periods import parse_period
    from kpis.tasks import compute_kpi_snapshots

    floor, floor_rows = floor_seconds(parse_period(MONTH, "month"))
    task, _ = timed(compute_kpi_snapshots.apply, args=[MONTH, "month"])
    rows = Snapshot.objects.filter(period=MONTH, granularity="month").count()
    assert rows == floor_rows, (rows, floor_rows)
    log(f"(a) one month, {rows:,} snapshots: task {task:.2f} s, floor {floor:.2f} s, ratio {task / floor:.2f}")
    return task, floor


def worker_backfill():
    """Run in a child process: the 24-month backfill through the task, then report time and peak RSS."""
    from kpis.tasks import compute_kpi_snapshots

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    elapsed, result = timed(compute_kpi_snapshots.apply, args=["2024-07", "month"], kwargs={"through": "2026-06"})
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": elapsed, "peak_kb": peak, "baseline_kb": baseline, "result": result.result}))


def bench_backfill():
    from kpis.periods import parse_period, period_range

    floor = sum(floor_seconds(p)[0] for p in period_range(parse_period("2024-07", "month"),
                                                           parse_period("2026-06", "month")))
    out = subprocess.run([sys.executable, __file__, "--worker-backfill"], capture_output=True, text=True, check=True,
                         env=os.environ.copy())
    data = json.loads(out.stdout.strip().splitlines()[-1])
    log(f"(a) 24-month backfill, {data['result']['snapshots']:,} snapshots, {data['result']['alerts_opened']} alerts: "
        f"task {data['seconds']:.2f} s, floor {floor:.2f} s, ratio {data['seconds'] / floor:.2f}")
    log(f"(c) worker peak RSS during the backfill: {data['peak_kb'] / 1024:.0f} MB "
        f"(after start-up {data['baseline_kb'] / 1024:.0f} MB)")
    return data, floor


def _bench_items(n):
    codes = [f"BENCH-{i:04d}" for i in range(100)]
    day0 = FIRST_DAY + timedelta(days=DAYS + 30)
    return [{"product": codes[i % 100], "metric": METRICS[(i // 100) % 10], "date": (day0 + timedelta(
        days=i // 1000)).isoformat(), "value": 10.0 + (i % 97)} for i in range(n)]


def bench_ingest():
    from django.test import Client

    from accounts.models import User
    from kpis.models import Observation

    admin, _ = User.objects.get_or_create(username="bench_admin", defaults={"role": "administrator"})
    client = Client()
    client.force_login(admin)
    items = _bench_items(100_000)
    bodies = [json.dumps(items[k:k + 10_000]) for k in range(0, len(items), 10_000)]
    start = time.perf_counter()
    for body in bodies:
        response = client.post("/api/v1/metrics/observations/", body, content_type="application/json")
        assert response.status_code == 200, response.content[:500]
    api = time.perf_counter() - start
    day0 = FIRST_DAY + timedelta(days=DAYS + 30)
    Observation.objects.filter(date__gte=day0).delete()
    products, metrics = _ids()
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.copy("COPY kpis_observation (product_id, metric_id, date, value, source) FROM STDIN") as copy:
            for item in items:
                copy.write_row((products[item["product"]], metrics[item["metric"]], item["date"], item["value"],
                                "api"))
    raw = time.perf_counter() - start
    log(f"(b) ingestion of 100,000 observations: API {api:.2f} s ({100_000 / api:,.0f}/s), COPY {raw:.2f} s, "
        f"ratio COPY/API {raw / api:.2f}")
    return api, raw


def _ids():
    from kpis.models import Metric
    from products.models import Product

    return (dict(Product.objects.filter(code__startswith="BENCH-").values_list("code", "id")),
            dict(Metric.objects.values_list("code", "id")))


def main():
    generate()
    bench_month()
    bench_backfill()
    bench_ingest()


if __name__ == "__main__":
    if "--worker-backfill" in sys.argv:
        worker_backfill()
    else:
        main()
