"""Figures by dimension, side by side in one run (`BENCH_ONLY=dimensions python -m bench`, or run this file):

(a) ingestion of dimensioned observations through kpis.services.observations_ingest (validation, the
    total/dimension rule, upsert, roll-up of the day totals), against COPY of the same rows into a table keyed
    (product, metric, date, segment, channel, region) — aim ≥ 0.25;
(b) one month's snapshots with dimensions (kpis.dimension_sql, the statement the services run) against one raw
    statement computing the same member values for the sum metrics, checked equal row for row — aim ≤ 1.5×.

DIM_BENCH_PRODUCTS and DIM_BENCH_DAYS scale it (defaults 200 × 30; a smoke run: 5 × 5). Its own scratch database:
<DATABASE_URL name>_dim_bench, created, migrated and dropped.
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


def items(products) -> list[dict]:
    return [{"product": code, "metric": metric, "date": (FIRST + timedelta(days=d)).isoformat(),
             "value": float((i + d) % 17 + 1), "segment": s, "channel": c, "region": r}
            for i, code in enumerate(products) for d in range(DAYS) for metric in ("new_customers", "revenue")
            for s in SEGMENTS for c in CHANNELS for r in REGIONS]


def main():
    setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from kpis import dimension_sql, services
    from kpis.models import Region
    from kpis.periods import parse_period
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

    cache.add("kpis:stale-recompute-scheduled", 1, timeout=3600)  # recomputation is measured apart (b)
    batch = items(codes)
    start = time.perf_counter()
    for at in range(0, len(batch), 10_000):
        services.observations_ingest(user=admin, items=batch[at:at + 10_000])
    ingest = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_dim_copy (product_id bigint, metric_id bigint, date date, segment text, "
                       "channel text, region text, value double precision, "
                       "PRIMARY KEY (product_id, metric_id, date, segment, channel, region))")
        ids = dict(Product.objects.values_list("code", "id"))
        lines = "".join(f"{ids[i['product']]}\t{1 if i['metric'] == 'revenue' else 2}\t{i['date']}\t{i['segment']}"
                        f"\t{i['channel']}\t{i['region']}\t{i['value']}\n" for i in batch).encode()
        start = time.perf_counter()
        with cursor.copy("COPY bench_dim_copy FROM STDIN") as copy:
            copy.write(lines)
        copy_seconds = time.perf_counter() - start
    period = parse_period(FIRST.strftime("%Y-%m"), "month")
    plan = services.metric_plan()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    statement, params = dimension_sql.dimension_snapshot_upsert(vendor="postgresql", granularity="month",
                                                                periods=[period], plan=plan, now=now)
    with transaction.atomic(), connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute(statement, params)
        ours = time.perf_counter() - start
        raw_sql = ("SELECT d.product_id, d.metric_id, x.dim, x.member, SUM(d.value) FROM kpis_dimensionobservation d "
                   "CROSS JOIN LATERAL (VALUES ('segment', d.segment), ('channel', d.channel), ('region', d.region)) "
                   "x(dim, member) JOIN kpis_metric m ON m.id = d.metric_id AND m.aggregation = 'sum' "
                   "WHERE d.date >= %s AND d.date < %s GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4")
        start = time.perf_counter()
        cursor.execute(raw_sql, [period.start, period.end])
        raw = time.perf_counter() - start
        reference = [(p, m, dim, member, round(v, 6)) for p, m, dim, member, v in cursor.fetchall()]
        cursor.execute("SELECT s.product_id, s.metric_id, s.dimension, s.member, s.value FROM kpis_dimensionsnapshot s "
                       "JOIN kpis_metric m ON m.id = s.metric_id AND m.aggregation = 'sum' "
                       "WHERE s.period_start = %s ORDER BY 1, 2, 3, 4", [period.start])
        computed = [(p, m, dim, member, round(v, 6)) for p, m, dim, member, v in cursor.fetchall()]
    assert computed == reference, "dimension snapshots differ from the raw statement"
    rows = len(batch)
    print(f"ingest {rows:,} dimensioned rows: service {ingest:.2f} s, COPY {copy_seconds:.2f} s, "
          f"ratio COPY/service {copy_seconds / ingest:.2f} (aim ≥ 0.25)")
    print(f"month snapshots by dimension: statement {ours:.3f} s (incl. derived and previous period), raw sums "
          f"{raw:.3f} s, ratio {ours / raw:.2f} (aim ≤ 1.5), {len(reference):,} rows checked equal")
    print("RESULTS " + json.dumps({"ingest_ratio": copy_seconds / ingest, "snapshot_ratio": ours / raw,
                                   "rows": rows, "checked": len(reference)}))
    connection.close()
    _admin(f'DROP DATABASE IF EXISTS "{SCRATCH}"')


if __name__ == "__main__":
    main()
