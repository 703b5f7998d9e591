"""Backlog benchmark: 100,000 requirements over 500 products in a scratch PostgreSQL database.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/bankpm_rq .venv/bin/python bench/requirements_bench.py
The scratch database `<name>_bench` is created (and dropped again unless KEEP_BENCH_DB=1). Prints median times and
query counts of the backlog list page and API (50-row page), the 2,000-card board and a create through the API,
with ratios against the peer targets.
"""
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankpm.settings.test")

PRODUCTS, TOTAL, BOARD_SIZE, RUNS = 500, 100_000, 2_000, 9
# name: (peer median ms, peer queries, our target ms)
TARGETS = {
    "list page (50 rows)": (40, 6, 20), "list API (50 rows)": (40, 6, 20),
    "board (2,000 cards)": (465, None, 232), "create via API": (135, 108, 67),
}


def scratch_database():
    import psycopg

    url = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bankpm"))
    name = url.path.lstrip("/") + "_bench"
    admin = psycopg.connect(host=url.hostname, port=url.port or 5432, user=url.username, password=url.password,
                            dbname="postgres", autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    os.environ["DATABASE_URL"] = urlunparse(url._replace(path="/" + name))
    return url, name


def drop(url, name):
    import psycopg

    admin = psycopg.connect(host=url.hostname, port=url.port or 5432, user=url.username, password=url.password,
                            dbname="postgres", autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def populate():
    import random
    from decimal import Decimal

    from accounts.models import User
    from products.models import Product
    from requirements.models import ProductVersion, Requirement

    rng = random.Random(42)
    owner = User.objects.create_user("bench_pm", password="x", role="product_manager")
    products = Product.objects.bulk_create(
        Product(code=f"B-{i:04d}", name=f"基准产品{i}", category="deposit", owner=owner, risk_rating="R1")
        for i in range(PRODUCTS)
    )
    versions = ProductVersion.objects.bulk_create(
        ProductVersion(product=p, name="v1.0", planned_date="2027-06-30") for p in products
    )
    statuses = ["new", "analysing", "confirmed", "scheduled", "in_development", "delivered", "rejected", "deferred"]
    # product 0 gets the 2,000-card board; the rest share the remaining rows evenly.
    owners = [0] * BOARD_SIZE + [1 + i % (PRODUCTS - 1) for i in range(TOTAL - BOARD_SIZE)]
    batch = []
    for n, index in enumerate(owners):
        status = statuses[n % len(statuses)]
        batch.append(Requirement(
            product=products[index], title=f"基准需求 {n}：手机银行转账体验优化", description="基准测试数据",
            source="internal", type="feature", priority=f"P{n % 4}", reach=rng.randint(10, 100_000),
            impact=Decimal(rng.choice(["0.25", "0.50", "1.00", "2.00", "3.00"])), confidence=rng.randint(10, 100),
            effort=Decimal(rng.randint(1, 120)) / 10, status=status, created_by=owner,
            target_version=versions[index] if status in ("scheduled", "in_development", "delivered") else None,
        ))
        if len(batch) == 10_000:
            Requirement.objects.bulk_create(batch)
            batch = []
    Requirement.objects.bulk_create(batch)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return owner, products[0]


def measure(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm-up (template and URL caches)
    times, counts = [], []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        counts.append(len(ctx))
    return statistics.median(times), max(counts)


HTTP_SECONDS, HTTP_CONNECTIONS, HTTP_PATH = 30, 8, "/api/v1/requirements/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port, token) -> float:
    import http.client

    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", HTTP_PATH, headers={"Authorization": f"Token {token}", "Accept": "application/json"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 200, (response.status, body[:200])
    return (time.perf_counter() - start) * 1000


def _gunicorn(port, conn_max_age):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bankpm.settings.production", "DJANGO_SECRET_KEY": "bench-only",
           "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_SECURE_SSL_REDIRECT": "0",
           "DATABASE_CONN_MAX_AGE": str(conn_max_age), "CELERY_BROKER_URL": ""}
    process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "bankpm.wsgi:application", "-w", "2",
                                "-k", "sync", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
                               cwd=ROOT, env=env)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def _load(port, token) -> dict:
    latencies, stop = [], time.perf_counter() + HTTP_SECONDS

    def worker():
        while time.perf_counter() < stop:
            latencies.append(_get(port, token))

    threads = [threading.Thread(target=worker) for _ in range(HTTP_CONNECTIONS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "p50": latencies[len(latencies) // 2],
            "p99": latencies[int(len(latencies) * 0.99)], "requests": len(latencies)}


def bench_http(owner) -> dict:
    """gunicorn, 2 sync workers on loopback: sequential medians with and without persistent database connections,
    then 8 connections for 30 s with persistent ones."""
    from django.db import connections
    from rest_framework.authtoken.models import Token

    token = Token.objects.get_or_create(user=owner)[0].key
    connections.close_all()
    out = {}
    for conn_max_age in (0, 60):
        port = _free_port()
        server = _gunicorn(port, conn_max_age)
        try:
            for _ in range(4):
                _get(port, token)  # warm both workers
            sequential = statistics.median(_get(port, token) for _ in range(30))
            out[f"sequential_ms_conn_max_age_{conn_max_age}"] = sequential
            print(f"HTTP sequential median (CONN_MAX_AGE={conn_max_age}): {sequential:.1f} ms", flush=True)
            if conn_max_age:
                out["sequential_ms"] = sequential
                out.update(_load(port, token))
                print(f"HTTP {HTTP_CONNECTIONS} connections × {HTTP_SECONDS} s, gunicorn 2 sync workers: "
                      f"{out['rps']:.1f} req/s, p50 {out['p50']:.0f} ms, p99 {out['p99']:.0f} ms "
                      f"({out['requests']} requests; peer 43–45 req/s, aim ≥ 90)", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return out


def main():
    url, name = scratch_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from rest_framework.test import APIClient

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    owner, board_product = populate()
    print(f"inserted {TOTAL:,} requirements over {PRODUCTS} products in {time.perf_counter() - started:.1f} s")
    page, api = Client(), APIClient()
    page.force_login(owner)
    api.force_authenticate(owner)

    def ok(response, code=200):
        assert response.status_code == code, (response.status_code, response.content[:300])

    counter = iter(range(10**6))
    payload = {"product": board_product.pk, "source": "internal", "type": "feature", "priority": "P1",
               "reach": 500, "impact": "1.00", "confidence": 80, "effort": "1.0", "tags": ["基准"]}
    results = {
        "list page (50 rows)": measure(lambda: ok(page.get("/requirements/"))),
        "list API (50 rows)": measure(lambda: ok(api.get("/api/v1/requirements/"))),
        "board (2,000 cards)": measure(lambda: ok(page.get(f"/requirements/board/?product={board_product.pk}"))),
        "create via API": measure(lambda: ok(api.post("/api/v1/requirements/", {
            **payload, "title": f"基准新建 {next(counter)}"}, format="json"), 201)),
    }
    extra = {
        "list API filtered (product, status, -rice)": measure(lambda: ok(api.get(
            f"/api/v1/requirements/?product={board_product.pk}&status=new&ordering=-rice_score"))),
        "list page sorted by priority": measure(lambda: ok(page.get("/requirements/?ordering=priority"))),
    }
    print(f"\n{'measure':<44}{'median ms':>10}{'queries':>9}{'peer ms':>9}{'target':>8}{'vs peer':>9}{'vs target':>10}")
    for label, (ms, queries) in results.items():
        peer, peer_q, target = TARGETS[label]
        print(f"{label:<44}{ms:>10.1f}{queries:>9}{peer:>9}{target:>8}{ms / peer:>8.2f}x{ms / target:>9.2f}x"
              + (f"   (peer {peer_q} queries)" if peer_q else ""))
    for label, (ms, queries) in extra.items():
        print(f"{label:<44}{ms:>10.1f}{queries:>9}")
    http = bench_http(owner)
    print("RESULTS " + json.dumps({"pages": {**results, **extra}, "http": http}), flush=True)
    if os.environ.get("KEEP_BENCH_DB") != "1":
        from django.db import connections

        connections.close_all()
        drop(url, name)


if __name__ == "__main__":
    main()
