"""Backlog benchmark: 100,000 requirements over 500 products in a scratch PostgreSQL database.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/bankpm_rq .venv/bin/python bench/requirements_bench.py
The scratch database `<name>_bench` is created (and dropped again unless KEEP_BENCH_DB=1). Prints median times and
query counts of the backlog list page and API (50-row page), the 2,000-card board and a create through the API,
with ratios against the peer targets.
"""
import os
import statistics
import sys
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
    if os.environ.get("KEEP_BENCH_DB") != "1":
        from django.db import connections

        connections.close_all()
        drop(url, name)


if __name__ == "__main__":
    main()
