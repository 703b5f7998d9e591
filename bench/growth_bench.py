"""Cost as the work grows (issue 27): the same measures at 1×, 2× and 4× the benchmark's data, side by side in one run,
each with its growth factor (time at 2× and 4× ÷ time at 1×; linear growth is 2 and 4, better is less).

    GROWTH_SCALE=0.25 .venv/bin/python bench/growth_bench.py     # or BENCH_ONLY=growth make bench

At GROWTH_SCALE=1 (the full setting, the issue's figures) 1× is 1,000 products × 730 days × 10 metrics = 7.3 M
observations and 100,000 requirements, so 4× is 4,000 products, 29.2 M observations and 400,000 requirements;
GROWTH_SCALE=0.25 measures 250 → 1,000 products. Measures, each taken at 1×, 2× and 4× one after the other so
that the machine's load is about the same for the three:
  one month's snapshots (the Celery task in-process, fastest of 2), the 24-month backfill (the task in one process,
  one run), the portfolio dashboard, the backlog page and the backlog API (median of 5 after a warm-up).
One database per factor, `<DATABASE_URL name>_growth_<f>x`, generated with generate_series and kept between runs
(generating 29 M rows takes minutes); GROWTH_DROP=1 drops them at the end. Each measure runs in a child process
set up against its factor's database. The last line printed is `RESULTS {json}`.
"""
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
FACTORS = (1, 2, 4)
SCALE = float(os.environ.get("GROWTH_SCALE", "1"))
BASE_PRODUCTS, BASE_REQUIREMENTS, DAYS = 1000, 100_000, 730
FIRST_DAY, MONTH = date(2024, 7, 1), "2026-06"
METRICS = ["active_customers", "new_customers", "balance", "sales_volume", "revenue", "cost", "csat", "complaints",
           "default_rate", "market_share"]
MEASURES = ("month", "backfill", "dashboard", "backlog page", "backlog API")


def log(text):
    print(text, flush=True)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def database_url(factor: int) -> str:
    url = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bankpm"))
    return urlunparse(url._replace(path=f"{url.path}_growth_{factor}x"))


def sizes(factor: int) -> tuple[int, int]:
    return round(BASE_PRODUCTS * factor * SCALE), round(BASE_REQUIREMENTS * factor * SCALE)


# --- in the child process, against one factor's database ------------------------------------------------------

def _admin_connection(url):
    import psycopg

    return psycopg.connect(host=url.hostname, port=url.port or 5432, user=url.username, password=url.password,
                           dbname="postgres", autocommit=True)


def child_setup(factor: int):
    url = urlparse(database_url(factor))
    with _admin_connection(url) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [url.path.lstrip("/")]).fetchone():
            admin.execute(f'CREATE DATABASE "{url.path.lstrip("/")}"')
    os.environ["DATABASE_URL"] = database_url(factor)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankpm.settings.local")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["CELERY_BROKER_URL"] = ""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def generate(factor: int) -> dict:
    """Products, their 730 days × 10 metrics of observations, monthly targets on two metrics, requirements."""
    from django.core.management import call_command
    from django.db import connection

    from kpis.partitions import observation_partitions_ensure

    products, requirements = sizes(factor)
    call_command("migrate", verbosity=0)
    observation_partitions_ensure(first=FIRST_DAY - timedelta(days=366), last=FIRST_DAY + timedelta(days=DAYS + 90))
    with connection.cursor() as cursor:
        # The generated metrics only: a backfill adds `requirements_delivered` figures from the backlog.
        cursor.execute("SELECT (SELECT count(*) FROM products_product WHERE code LIKE 'G-%%'), "
                       "(SELECT count(*) FROM kpis_observation WHERE metric_id IN "
                       " (SELECT id FROM kpis_metric WHERE code = ANY(%s))), "
                       "(SELECT count(*) FROM requirements_requirement)", [METRICS])
        have = cursor.fetchone()
    wanted = (products, products * DAYS * len(METRICS), requirements)
    if have == wanted:
        return {"generated": False, "products": products, "observations": wanted[1], "requirements": requirements}
    start = time.perf_counter()
    from accounts.models import User
    from products.models import Product

    owner, _ = User.objects.get_or_create(username="growth_pm", defaults={"role": "product_manager"})
    User.objects.get_or_create(username="growth_admin", defaults={"role": "administrator"})
    if have[0] != products:  # each part regenerated only when it is not there (29 M rows take minutes)
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE kpis_alert, kpis_snapshot, kpis_dimensionsnapshot, kpis_target, "
                           "kpis_observation, kpis_staleperiod, notifications_notification CASCADE")
            cursor.execute("TRUNCATE requirements_requirement CASCADE")
            cursor.execute("DELETE FROM products_product_sales_channels")
            cursor.execute("DELETE FROM products_product WHERE code LIKE 'G-%%'")
        Product.objects.bulk_create([
            Product(code=f"G-{i:05d}", name=f"基准产品{i}", category="loan", owner=owner, risk_rating="R2",
                    stage="operation") for i in range(products)], batch_size=2000)
        have = (products, 0, 0)
    with connection.cursor() as cursor:
        if have[1] != wanted[1]:
            cursor.execute("TRUNCATE kpis_alert, kpis_snapshot, kpis_dimensionsnapshot, kpis_target, kpis_observation "
                           "CASCADE")
            cursor.execute("""
            INSERT INTO kpis_observation (product_id, metric_id, date, value, source)
            SELECT p.id, m.id, %s::date + g.i, (50 + (p.id %% 50) + random() * 10)::float8, 'api'
            FROM products_product p CROSS JOIN kpis_metric m CROSS JOIN generate_series(0, %s) AS g(i)
            WHERE p.code LIKE 'G-%%' AND m.code = ANY(%s)""", [FIRST_DAY, DAYS - 1, METRICS])
            cursor.execute("""
            INSERT INTO kpis_target (product_id, metric_id, granularity, period_start, target_value,
                                     warning_threshold, critical_threshold)
            SELECT p.id, m.id, 'month', (date '2024-07-01' + make_interval(months => g.k))::date,
                   CASE m.code WHEN 'revenue' THEN 1600 ELSE 60 END, CASE m.code WHEN 'revenue' THEN 1500 ELSE 80 END,
                   CASE m.code WHEN 'revenue' THEN 1400 ELSE 104 END
            FROM products_product p CROSS JOIN kpis_metric m CROSS JOIN generate_series(0, 23) AS g(k)
            WHERE p.code LIKE 'G-%%' AND m.code IN ('revenue', 'default_rate')""")
        if have[2] != requirements:
            # Requirements spread over the products; a delivered one counts in `requirements_delivered`.
            cursor.execute("TRUNCATE requirements_requirement CASCADE")
            cursor.execute("""
            WITH p AS (SELECT array_agg(id ORDER BY id) AS ids FROM products_product WHERE code LIKE 'G-%%')
            INSERT INTO requirements_requirement (title, description, source, type, requester, priority, reach,
              impact, confidence, effort, status, status_reason, delivered_at, created_at, updated_at,
              created_by_id, product_id)
            SELECT '基准需求 ' || g || '：手机银行转账体验优化', '基准测试数据', 'internal', 'feature', '',
              'P' || g %% 4, 10 + (g * 7919) %% 100000, (ARRAY[0.25, 0.5, 1, 2, 3])[1 + g %% 5], 10 + g %% 91,
              0.1 + (g %% 120) / 10.0,
              s.status, '', CASE WHEN s.status = 'delivered' THEN timestamptz '2024-07-01 10:00+08' + (g %% 700) *
              interval '1 day' END, now(), now(), %s, p.ids[1 + g %% array_length(p.ids, 1)]
            FROM p, generate_series(0::bigint, %s - 1) AS g,
              LATERAL (SELECT (ARRAY['new', 'analysing', 'confirmed', 'scheduled', 'in_development', 'delivered',
                                      'rejected', 'deferred'])[1 + g %% 8] AS status) s""", [owner.pk, requirements])
        cursor.execute("VACUUM (ANALYZE)")
    return {"generated": True, "seconds": time.perf_counter() - start, "products": products,
            "observations": wanted[1], "requirements": requirements}


def _median_ms(fn, runs=5) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm-up
    times, counts = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        counts.append(len(ctx))
    return statistics.median(times), max(counts)


def measure(factor: int, name: str) -> dict:
    from django.db import connection

    from kpis.tasks import compute_kpi_snapshots

    if name in ("month", "backfill"):
        runs = 2 if name == "month" else 1
        kwargs = {} if name == "month" else {"through": MONTH}
        best = None
        for _ in range(runs):
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE kpis_alert, kpis_snapshot, kpis_dimensionsnapshot CASCADE")
            start = time.perf_counter()
            compute_kpi_snapshots.apply(args=[MONTH if name == "month" else "2024-07", "month"], kwargs=kwargs)
            elapsed = time.perf_counter() - start
            best = elapsed if best is None else min(best, elapsed)
        return {"seconds": best, "load": load()}
    from django.test import Client

    from accounts.models import User

    user = User.objects.get(username="growth_admin" if name == "dashboard" else "growth_pm")
    client = Client()
    client.force_login(user)
    path = {"dashboard": "/kpis/", "backlog page": "/requirements/", "backlog API": "/api/v1/requirements/"}[name]

    def get():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    ms, queries = _median_ms(get)
    return {"seconds": ms / 1000, "queries": queries, "load": load()}


def child(factor: int, name: str) -> None:
    child_setup(factor)
    result = generate(factor) if name == "generate" else measure(factor, name)
    print("CHILD " + json.dumps(result), flush=True)


# --- the parent: every measure at 1×, 2×, 4× in turn -----------------------------------------------------------

def run_child(factor: int, name: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(factor), name], capture_output=True, text=True,
                         env=os.environ.copy())
    lines = [line for line in out.stdout.splitlines() if line.startswith("CHILD ")]
    if out.returncode != 0 or not lines:
        raise SystemExit(f"{name} at {factor}× failed:\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}")
    return json.loads(lines[-1][len("CHILD "):])


def main():
    started = time.perf_counter()
    log(f"growth bench at GROWTH_SCALE={SCALE:g}: " + ", ".join(
        f"{f}× = {sizes(f)[0]:,} products, {sizes(f)[0] * DAYS * len(METRICS):,} observations, "
        f"{sizes(f)[1]:,} requirements" for f in FACTORS) + f"; load {load()}")
    out = {"scale": SCALE, "sizes": {f: sizes(f) for f in FACTORS}, "load_before": load(), "measures": {}}
    for factor in FACTORS:
        info = run_child(factor, "generate")
        log(f"  {factor}×: " + (f"generated in {info['seconds']:.0f} s" if info["generated"] else "re-used")
            + f" ({info['observations']:,} observations, {info['requirements']:,} requirements)")
    for name in MEASURES:
        results = {factor: run_child(factor, name) for factor in FACTORS}
        base = results[1]["seconds"]
        out["measures"][name] = {str(f): r for f, r in results.items()}
        row = ", ".join(f"{f}× {r['seconds'] * (1 if r['seconds'] >= 1 else 1000):.{2 if r['seconds'] >= 1 else 1}f}"
                        f"{' s' if r['seconds'] >= 1 else ' ms'}" + (f" ({r['queries']} q)" if "queries" in r else "")
                        for f, r in results.items())
        growth = ", ".join(f"{f}× ÷ 1× = {results[f]['seconds'] / base:.2f}" for f in FACTORS[1:])
        log(f"{name:14s} {row}; growth {growth} (linear: 2, 4); load {results[FACTORS[-1]]['load']}")
    out["load_after"] = load()
    out["seconds"] = time.perf_counter() - started
    if os.environ.get("GROWTH_DROP"):
        import psycopg

        url = urlparse(database_url(1))
        with psycopg.connect(host=url.hostname, port=url.port or 5432, user=url.username, password=url.password,
                             dbname="postgres", autocommit=True) as admin:
            for factor in FACTORS:
                admin.execute(f'DROP DATABASE IF EXISTS "{urlparse(database_url(factor)).path.lstrip("/")}" '
                              "WITH (FORCE)")
    log(f"load average: {out['load_before']} before, {out['load_after']} after; {out['seconds']:.0f} s in all")
    print("RESULTS " + json.dumps(out), flush=True)


if __name__ == "__main__":
    if "--child" in sys.argv:
        at = sys.argv.index("--child")
        child(int(sys.argv[at + 1]), sys.argv[at + 2])
    else:
        main()
