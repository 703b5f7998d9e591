"""Roadmap benchmark: 1,000 products over three years in one page, in a scratch PostgreSQL database.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/bankpm .venv/bin/python bench/roadmap_bench.py
The scratch database `<name>_roadmap_bench` is created (and dropped again unless KEEP_BENCH_DB=1). Each product
has its stage history (3–4 approved gates), one open review in ten, two terms versions, a pilot in five, an exit
plan in twenty, three due deliverables and two target dates. Prints the median time and query count of the
roadmap page for 2024-01-01 … 2026-12-31 (one page, every product), of the API and of the XLSX export.
"""
import json
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from scratch import drop, scratch_database  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankpm.settings.test")

PRODUCTS, RUNS = 1000, int(os.environ.get("BENCH_RUNS", "5"))
FIRST, LAST = date(2024, 1, 1), date(2026, 12, 31)
WINDOW = f"from={FIRST.isoformat()}&to={LAST.isoformat()}&zoom=year"
STAGES = ["planning", "development", "marketing", "operation", "retirement"]


def _at(day: date) -> datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=10))


def populate():
    from accounts.models import User
    from changes.models import Change, TermsVersion
    from exits.models import ExitPlan
    from lifecycle.choices import STAGE_GATE
    from lifecycle.engine import PRODUCT_TERMS
    from lifecycle.models import ApprovalStep, Deliverable, GateReview
    from products.models import Product
    from roadmap.models import RoadmapPlan

    rng = random.Random(24)
    head = User.objects.create_user("bench_head", password="x", role="head_of_product")
    owners = [User.objects.create_user(f"bench_pm{i}", password="x", role="product_manager") for i in range(20)]
    categories = ["deposit", "loan", "credit_card", "wealth", "payment"]
    plan = []
    for _ in range(PRODUCTS):
        created = FIRST + timedelta(days=rng.randint(0, 700))
        gates = rng.randint(1, 4)
        days = sorted(created + timedelta(days=rng.randint(20, (LAST - created).days - 5)) for _ in range(gates))
        plan.append((created, days))
    products = Product.objects.bulk_create(
        Product(code=f"RB-{i:04d}", name=f"路线图基准产品{i}", category=categories[i % 5], owner=owners[i % 20],
                risk_rating="R2", stage=STAGES[len(days)]) for i, (_c, days) in enumerate(plan))
    for product, (created, _days) in zip(products, plan, strict=True):
        product.created_at = _at(created)
    Product.objects.bulk_update(products, ["created_at"])
    reviews, versions, changes, exits, deliverables, plans = [], [], [], [], [], []
    for i, (product, (_created, days)) in enumerate(zip(products, plan, strict=True)):
        for number, day in enumerate(days):
            reviews.append(GateReview(product=product, process=STAGE_GATE, from_stage=STAGES[number],
                                      lock_key=f"{PRODUCT_TERMS}:{product.pk}", target=STAGES[number + 1],
                                      to_stage=STAGES[number + 1], status="approved", submitted_by=product.owner,
                                      submitted_at=_at(day - timedelta(days=rng.randint(1, 12))), decided_at=_at(day)))
        if i % 10 == 0 and len(days) < 4:
            reviews.append(GateReview(product=product, process=STAGE_GATE, from_stage=STAGES[len(days)],
                                      lock_key=f"{PRODUCT_TERMS}:{product.pk}", target=STAGES[len(days) + 1],
                                      to_stage=STAGES[len(days) + 1], status="pending", submitted_by=product.owner,
                                      submitted_at=_at(LAST - timedelta(days=30))))
        launch = days[1] if len(days) > 2 else None
        if launch:
            versions += [TermsVersion(product=product, version=1, effective_from=launch, terms={}),
                         TermsVersion(product=product, version=2, effective_from=launch + timedelta(days=120),
                                      terms={})]
            if i % 5 == 0:
                changes.append(Change(product=product, summary="年费调整试点", reason="competitor", pilot=True,
                                      status="rolled_out", pilot_start=launch + timedelta(days=60),
                                      pilot_end=launch + timedelta(days=110), created_by=product.owner,
                                      closed_at=_at(launch + timedelta(days=120))))
        if i % 20 == 0:
            exits.append(ExitPlan(product=product, notice_date=LAST - timedelta(days=90),
                                  close_date=LAST - timedelta(days=30), created_by=head))
        deliverables += [Deliverable(product=product, stage=product.stage, title=f"交付物 {n}", owner=product.owner,
                                     due_date=LAST - timedelta(days=rng.randint(0, 300))) for n in range(3)]
        later = STAGES.index(product.stage) + 1
        if later < len(STAGES):
            plans.append(RoadmapPlan(product=product, kind="stage", stage=STAGES[later], set_by=head,
                                     target_date=LAST - timedelta(days=rng.randint(0, 200))))
        plans.append(RoadmapPlan(product=product, kind="version", version=3, set_by=head,
                                 target_date=LAST - timedelta(days=rng.randint(0, 200))))
    GateReview.objects.bulk_create(reviews, batch_size=2000)
    pending = GateReview.objects.filter(status="pending")
    ApprovalStep.objects.bulk_create(ApprovalStep(review=r, department="risk", status="pending",
                                                  due_date=LAST - timedelta(days=20)) for r in pending)
    for model, rows in ((TermsVersion, versions), (Change, changes), (ExitPlan, exits), (Deliverable, deliverables),
                        (RoadmapPlan, plans)):
        model.objects.bulk_create(rows, batch_size=2000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return head, len(reviews)


def measure(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm-up (template, URL and translation caches)
    times, counts = [], []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = fn()
            times.append((time.perf_counter() - start) * 1000)
        counts.append(len(ctx))
    return statistics.median(times), max(counts), len(response.content)


def main():
    url, name = scratch_database("roadmap_bench")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from rest_framework.test import APIClient

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    head, reviews = populate()
    print(f"inserted {PRODUCTS:,} products with {reviews:,} reviews in {time.perf_counter() - started:.1f} s")
    page, api = Client(), APIClient()
    page.force_login(head)
    api.force_authenticate(head)

    def ok(response):
        assert response.status_code == 200, (response.status_code, response.content[:300])
        return response

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    results = {
        "page": measure(lambda: ok(page.get(f"/roadmap/?{WINDOW}"))),
        "api": measure(lambda: ok(api.get(f"/api/v1/roadmap/?{WINDOW}"))),
        "xlsx": measure(lambda: ok(page.get(f"/roadmap/?{WINDOW}&export=xlsx"))),
    }
    body = page.get(f"/roadmap/?{WINDOW}").content.decode()
    assert body.count("RB-") >= PRODUCTS, "every product is in the page"
    print(f"\n{'measure (1,000 products, 2024–2026)':<40}{'median ms':>10}{'queries':>9}{'bytes':>12}")
    for label, (ms, queries, size) in results.items():
        print(f"{label:<40}{ms:>10.1f}{queries:>9}{size:>12,}")
    print("RESULTS " + json.dumps({label: {"ms": ms, "queries": q, "bytes": size}
                                   for label, (ms, q, size) in results.items()} | {"load": load}), flush=True)
    if os.environ.get("KEEP_BENCH_DB") != "1":
        from django.db import connections

        connections.close_all()
        drop(url, name)


if __name__ == "__main__":
    main()
