"""Figures by dimension, side by side in one run (`BENCH_ONLY=dimensions python -m bench`, or run this file):

(a) ingestion of dimensioned observations through `POST /api/v1/metrics/observations/` in 10,000-item requests
    (parsing, validation, the total/dimension rule, storage, roll-up of the day totals, the target-market check),
    against COPY of the same rows into a table keyed (product, metric, date, segment, channel, region), the faster
    of PostgreSQL's text and binary formats (bench/copy_reference.py) — aim ≥ 0.25;
(b) one month's snapshots with dimensions (kpis.dimension_sql, the statements the services run: computed into a
    temporary table, then upserted into the indexed table) against one raw
    statement computing the same member values for the sum metrics, checked equal row for row — aim ≤ 1.5×;
    three interleaved pairs after a VACUUM ANALYZE (as autovacuum would), the fastest of each.

DIM_BENCH_PRODUCTS and DIM_BENCH_DAYS scale it (defaults 200 × 30; a smoke run: 5 × 5). Its own scratch database:
<DATABASE_URL name>_dim_bench, created, migrated and dropped (kept with KEEP_BENCH_DB=1, for profiling).
"""
import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_base = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bankpm"))
SCRATCH = _base.path.lstrip("/") + "_dim_bench"
os.environ["DATABASE_URL"] = urlunparse(_base._replace(path="/" + SCRATCH))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankpm.settings.local")
os.environ["DJANGO_DEBUG"] = "0"
os.environ["CELERY_BROKER_URL"] = ""
PRODUCTS = int(os.environ.get("DIM_BENCH_PRODUCTS", "200"))
DAYS = int(os.environ.get("DIM_BENCH_DAYS", "30"))
FIRST = date(2026, 6, 1)
SEGMENTS, CHANNELS = ["mass_market", "affluent", "youth"], ["branch", "mobile_banking"]
REGIONS = ["sh", "bj", "gz"]
PAIRS = 5
ROUNDS = int(os.environ.get("DIM_BENCH_ROUNDS", "3"))  # the fastest of each side (a shared machine)
# The raw statement: each member's month sum of the sum metrics, every row read once and counted under its segment,
# channel and region (CROSS JOIN LATERAL VALUES), materialised like the statement's output.
REFERENCE = ("CREATE TEMP TABLE bench_dim_reference AS SELECT d.product_id, d.metric_id, x.dim, x.member, "
             "SUM(d.value) AS value FROM kpis_dimensionobservation d "
             "CROSS JOIN LATERAL (VALUES ('segment', d.segment), ('channel', d.channel), ('region', d.region)) "
             "x(dim, member) JOIN kpis_metric m ON m.id = d.metric_id AND m.aggregation = 'sum' "
             "WHERE d.date >= %s AND d.date < %s AND x.member <> '' GROUP BY 1, 2, 3, 4")


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(host=_base.hostname, port=_base.port or 5432, user=_base.username,
                         password=_base.password, dbname="postgres", autocommit=True) as admin:
        admin.execute(sql)


def setup():
    _admin(f'DROP DATABASE IF EXISTS "{SCRATCH}"')
    _admin(f'CREATE DATABASE "{SCRATCH}"')
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "0"], check=True, env=os.environ)
    import django

    django.setup()


def items(products, first=FIRST) -> list[dict]:
    return [{"product": code, "metric": metric, "date": (first + timedelta(days=d)).isoformat(),
             "value": float((i + d) % 17 + 1), "segment": s, "channel": c, "region": r}
            for i, code in enumerate(products) for d in range(DAYS) for metric in ("new_customers", "revenue")
            for s in SEGMENTS for c in CHANNELS for r in REGIONS]


def main():
    setup()
    from copy_reference import time_copy_formats
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from kpis import dimension_sql, services
    from kpis.models import Metric, Region
    from kpis.periods import add_months, parse_period
    from products.models import Product

    admin = User.objects.create(username="bench", role="admin", is_superuser=True, is_staff=True)
    for code in REGIONS:
        Region.objects.create(code=code, name=code, name_en=code)
    codes = [f"B-{i:04d}" for i in range(PRODUCTS)]
    Product.objects.bulk_create([Product(code=c, name=c, category="deposit", owner=admin, risk_rating="R1",
                                         stage="operation") for c in codes])
    from products.models import SalesChannel

    channels = list(SalesChannel.objects.filter(code__in=CHANNELS))
    for product in Product.objects.all():  # approved channels: no target-market alerts in the measure
        product.sales_channels.set(channels)
    from django.core.cache import cache
    from django.test import Client

    cache.add("kpis:stale-recompute-scheduled", 1, timeout=3600)  # recomputation is measured apart (b)
    batch = items(codes)
    client = Client()
    client.force_login(admin)
    warm = client.post("/api/v1/metrics/observations/?dry_run=true", json.dumps(batch[:100]),
                       content_type="application/json")  # the first request loads the URL conf and the views
    assert warm.status_code == 200, warm.content[:300]
    ids = dict(Product.objects.values_list("code", "id"))
    metric_ids = dict(Metric.objects.values_list("code", "id"))
    api_runs, copy_runs, copy_formats = [], [], []
    for run in range(ROUNDS):  # each round new days (a month later), then COPY of the same rows into a new table
        rows = batch if run == 0 else items(codes, first=add_months(FIRST, run))
        bodies = [json.dumps(rows[at:at + 10_000]) for at in range(0, len(rows), 10_000)]
        start = time.perf_counter()
        for body in bodies:
            response = client.post("/api/v1/metrics/observations/", body, content_type="application/json")
            assert response.status_code == 200, response.content[:300]
        api_runs.append(time.perf_counter() - start)
        with connection.cursor() as cursor:  # text and binary COPY, the faster of the two
            formats = time_copy_formats(
                cursor, table="bench_dim_copy",
                create="CREATE TABLE bench_dim_copy (product_id bigint, metric_id bigint, date date, segment text, "
                       "channel text, region text, value double precision, "
                       "PRIMARY KEY (product_id, metric_id, date, segment, channel, region))",
                types=["int8", "int8", "date", "text", "text", "text", "float8"],
                rows=lambda rows=rows: ((ids[i["product"]], metric_ids[i["metric"]], date.fromisoformat(i["date"]),
                                         i["segment"], i["channel"], i["region"], i["value"]) for i in rows))
            copy_runs.append(min(formats.values()))
            copy_formats.append(min(formats, key=formats.get))
    ingest, copy_seconds = min(api_runs), min(copy_runs)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) kpis_dimensionobservation")  # as autovacuum would after a load
    period = parse_period(FIRST.strftime("%Y-%m"), "month")
    plan = services.metric_plan()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    statements = dimension_sql.dimension_snapshot_statements(vendor="postgresql", granularity="month",
                                                             periods=[period], plan=plan, now=now)
    ours_runs, raw_runs = [], []
    for _ in range(PAIRS):  # interleaved pairs, the fastest of each (the machine is shared)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE kpis_dimensionsnapshot")
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL jit = off")
            start = time.perf_counter()
            for statement, params in statements:  # computed into a temporary table, then upserted
                cursor.execute(statement, params)
            ours_runs.append(time.perf_counter() - start)
            cursor.execute("DROP TABLE IF EXISTS bench_dim_reference")
            start = time.perf_counter()
            cursor.execute(REFERENCE, [period.start, period.end])
            raw_runs.append(time.perf_counter() - start)
        with connection.cursor() as cursor:
            cursor.execute("SELECT product_id, metric_id, dim, member, value FROM bench_dim_reference "
                           "ORDER BY 1, 2, 3, 4")
            reference = [(p, m, dim, member, round(v, 6)) for p, m, dim, member, v in cursor.fetchall()]
            cursor.execute("SELECT s.product_id, s.metric_id, s.dimension, s.member, s.value "
                           "FROM kpis_dimensionsnapshot s JOIN kpis_metric m ON m.id = s.metric_id "
                           "AND m.aggregation = 'sum' WHERE s.period_start = %s ORDER BY 1, 2, 3, 4", [period.start])
            computed = [(p, m, dim, member, round(v, 6)) for p, m, dim, member, v in cursor.fetchall()]
    ours, raw = min(ours_runs), min(raw_runs)
    assert computed == reference, "dimension snapshots differ from the raw statement"
    rows = len(batch)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"ingest {rows:,} dimensioned rows through the API ({len(bodies)} × 10,000; fastest of {ROUNDS} rounds "
          f"and of {ROUNDS} COPYs, each the faster of text and binary: "
          f"{', '.join(f'{a:.2f}/{c:.2f} {f}' for a, c, f in zip(api_runs, copy_runs, copy_formats, strict=True))})"
          f": {ingest:.2f} s "
          f"({rows / ingest:,.0f} rows/s), COPY {copy_seconds:.2f} s ({rows / copy_seconds:,.0f} rows/s), "
          f"ratio COPY/API {copy_seconds / ingest:.2f} (aim ≥ 0.25)")
    print(f"month snapshots by dimension: statement {ours:.3f} s (incl. derived and previous period), raw sums "
          f"{raw:.3f} s (fastest of {PAIRS} pairs: "
          f"{', '.join(f'{o:.3f}/{r:.3f}' for o, r in zip(ours_runs, raw_runs, strict=True))}), ratio "
          f"{ours / raw:.2f} (aim ≤ 1.5), {len(reference):,} rows checked equal; load {load}")
    print("RESULTS " + json.dumps({"ingest_ratio": copy_seconds / ingest, "snapshot_ratio": ours / raw,
                                   "rows": rows, "checked": len(reference), "api_rows_per_s": rows / ingest,
                                   "copy_rows_per_s": rows / copy_seconds, "statement": ours, "raw": raw,
                                   "products": PRODUCTS, "days": DAYS, "load": load}))
    connection.close()
    if not os.environ.get("KEEP_BENCH_DB"):
        _admin(f'DROP DATABASE IF EXISTS "{SCRATCH}"')


if __name__ == "__main__":
    main()
