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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from scratch import drop, scratch_database  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankpm.settings.test")

PRODUCTS, TOTAL, BOARD_SIZE, RUNS = 500, 100_000, 2_000, 9
# name: (peer median ms, peer queries, our target ms)
TARGETS = {
    "list page (50 rows)": (40, 6, 20), "list API (50 rows)": (40, 6, 20),
    "board (2,000 cards)": (465, None, 232), "create via API": (135, 108, 67),
}


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


def _gunicorn(port, conn_max_age, app="bankpm.wsgi:application"):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bankpm.settings.production", "DJANGO_SECRET_KEY": "bench-only",
           "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_SECURE_SSL_REDIRECT": "0",
           "DATABASE_CONN_MAX_AGE": str(conn_max_age), "CELERY_BROKER_URL": "",
           # The load comes from one token and one address: the bench measures throughput, not the rate limit.
           "API_RATE_PER_TOKEN": "1000000/min", "API_RATE_PER_ADDRESS": "1000000/min"}
    process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), app, "-w", "2",
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


def _load_ab(port, token) -> dict | None:
    """The same 8 connections for the same 30 s from ApacheBench, when installed (Debian's apache2-utils): a client
    in C, so that the load generator's own CPU (8 Python threads on the same 2 cores) weighs less on the result."""
    import re
    import shutil

    if not shutil.which("ab"):
        return None
    done = subprocess.run(["ab", "-q", "-c", str(HTTP_CONNECTIONS), "-t", str(HTTP_SECONDS), "-n", "1000000",
                           "-H", f"Authorization: Token {token}", "-H", "Accept: application/json",
                           f"http://127.0.0.1:{port}{HTTP_PATH}"], capture_output=True, text=True, timeout=120)
    rps = re.search(r"Requests per second:\s+([\d.]+)", done.stdout)
    failed = re.search(r"Failed requests:\s+(\d+)", done.stdout)
    non_2xx = re.search(r"Non-2xx responses:\s+(\d+)", done.stdout)
    if not rps or (failed and int(failed.group(1))) or non_2xx:
        print("ab failed:", done.stdout[-800:], done.stderr[-400:], flush=True)
        return None
    percent = dict(re.findall(r"^\s+(\d+)%\s+(\d+)", done.stdout, re.M))
    return {"rps": float(rps.group(1)), "p50": float(percent["50"]), "p99": float(percent["99"])}


def _load_avg() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def bench_http(owner) -> dict:
    """gunicorn, 2 sync workers on loopback: sequential medians with and without persistent database connections,
    then 8 connections for 30 s with persistent ones; then the same load on the independent reference
    (bench/reference_backlog.py: psycopg and json, no Django) under the same gunicorn, right after."""
    from django.db import connections
    from rest_framework.authtoken.models import Token

    token = Token.objects.get_or_create(user=owner)[0].key
    connections.close_all()
    out = {}
    for label, app, conn_max_age in (("bankpm", "bankpm.wsgi:application", 0),
                                     ("bankpm", "bankpm.wsgi:application", 60),
                                     ("reference", "bench.reference_backlog:application", 60)):
        port = _free_port()
        server = _gunicorn(port, conn_max_age, app)
        try:
            for _ in range(4):
                _get(port, token)  # warm both workers
            sequential = statistics.median(_get(port, token) for _ in range(30))
            key = "reference_" if label == "reference" else ""
            if label == "bankpm":
                out[f"sequential_ms_conn_max_age_{conn_max_age}"] = sequential
            print(f"HTTP sequential median, {label} (CONN_MAX_AGE={conn_max_age}): {sequential:.1f} ms "
                  f"(load {_load_avg()})", flush=True)
            if conn_max_age:
                out[f"{key}sequential_ms"] = sequential
                result = _load(port, token)
                out.update({f"{key}{name}": value for name, value in result.items()})
                out[f"{key}load"] = _load_avg()
                print(f"HTTP {HTTP_CONNECTIONS} connections × {HTTP_SECONDS} s, gunicorn 2 sync workers, {label}: "
                      f"{result['rps']:.1f} req/s, p50 {result['p50']:.0f} ms, p99 {result['p99']:.0f} ms "
                      f"({result['requests']} requests; load {_load_avg()}; peer 43–45 req/s, aim ≥ 90)", flush=True)
                ab = _load_ab(port, token)
                if ab:
                    out.update({f"{key}ab_{name}": value for name, value in ab.items()})
                    print(f"  the same load from ApacheBench (ab, C): {ab['rps']:.1f} req/s, p50 {ab['p50']:.0f} ms, "
                          f"p99 {ab['p99']:.0f} ms (load {_load_avg()})", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return out


def reference_in_process(token) -> tuple[float, int]:
    """The reference page (bench/reference_backlog.py) in-process: median ms, 3 statements."""
    import reference_backlog

    conn = reference_backlog.connect()
    try:
        def call():
            assert reference_backlog.page_json(conn, token, "http://testserver") is not None

        call()
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            call()
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times), 3
    finally:
        conn.close()


def check_reference(api, token):
    """The reference answers what the API answers (same JSON, apart from the host in the links)."""
    import reference_backlog

    conn = reference_backlog.connect()
    try:
        ours = api.get("/api/v1/requirements/").json()
        theirs = json.loads(reference_backlog.page_json(conn, token, "http://testserver"))
        assert ours == theirs, "the reference page differs from the API's"
    finally:
        conn.close()


def main():
    url, name = scratch_database("bench")
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
    from rest_framework.authtoken.models import Token

    token = Token.objects.get_or_create(user=owner)[0].key
    check_reference(api, token)
    print(f"load average before the pages: {_load_avg()}", flush=True)
    reference = reference_in_process(token)
    results = {
        "list page (50 rows)": measure(lambda: ok(page.get("/requirements/"))),
        "list API (50 rows)": measure(lambda: ok(api.get("/api/v1/requirements/"))),
        "board (2,000 cards)": measure(lambda: ok(page.get(f"/requirements/board/?product={board_product.pk}"))),
        "create via API": measure(lambda: ok(api.post("/api/v1/requirements/", {
            **payload, "title": f"基准新建 {next(counter)}"}, format="json"), 201)),
    }
    token_api = APIClient()
    token_api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    results_token = measure(lambda: ok(token_api.get("/api/v1/requirements/")))
    reference_after = reference_in_process(token)
    print(f"load average after the pages: {_load_avg()}", flush=True)
    extra = {
        "list API (50 rows), token header as over HTTP": results_token,
        "reference API page in-process (psycopg + json), before": reference,
        "reference API page in-process (psycopg + json), after": reference_after,
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
    print("RESULTS " + json.dumps({"pages": {**results, **extra}, "http": http, "load": _load_avg(),
                                   "reference_ms": min(reference[0], reference_after[0])}), flush=True)
    if os.environ.get("KEEP_BENCH_DB") != "1":
        from django.db import connections

        connections.close_all()
        drop(url, name)


if __name__ == "__main__":
    main()
