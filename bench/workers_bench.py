"""Backfill fanned out over real Celery workers: 1 worker process, 2, and the rehearsal's 4 (two worker nodes of 2
processes, as `make cluster` starts them), on the KPI benchmark's data, with the fastest reference statement
(bench/kpi_references.py) timed in the same run.

Run by bench/__main__.py after kpis_bench.py (same scratch database, <name>_kpi_bench), or alone:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bankpm_kpi_bench CELERY_BROKER_URL=redis://127.0.0.1:6379/3 \
        .venv/bin/python bench/workers_bench.py

It starts `celery worker --concurrency N` (one node, or two for 4 processes) on its own queue, sends the 24-month
backfill (which becomes a chord of 4-month chunks, then one alert pass), waits for the result and reports the wall
time. BENCH_WORKERS (default "1,2,4") chooses the process counts.
"""
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankpm.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bankpm_kpi_bench")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/3")
os.environ.setdefault("CELERY_RESULT_BACKEND", os.environ["CELERY_BROKER_URL"])
os.environ["DJANGO_DEBUG"] = "0"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402


def run(processes: int) -> float:
    """The backfill on `processes` worker processes: one node, or two nodes of processes / 2 each beyond 2."""
    from kpis.tasks import compute_kpi_snapshots

    queue = f"kpibench-{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        # CASCADE: the tables that link alerts and snapshots (an exit plan's evidence) go too; the benchmark's
        # database has no exit plan.
        cursor.execute("TRUNCATE kpis_alert, kpis_snapshot CASCADE")
    connection.close()
    nodes = 1 if processes <= 2 else 2
    workers = [subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "bankpm", "worker", "-Q", queue,
         "-c", str(processes // nodes), "--pool", "prefork", "--loglevel", "WARNING", "-n", f"{queue}-{n}@%h"],
        cwd=ROOT, env=os.environ.copy()) for n in range(nodes)]
    try:
        time.sleep(6)  # let the workers connect (and warm up, bankpm.celery) before timing
        start = time.perf_counter()
        result = compute_kpi_snapshots.apply_async(args=["2024-07", "month"], kwargs={"through": "2026-06"},
                                                   queue=queue)
        outcome = result.get(timeout=900)
        elapsed = time.perf_counter() - start
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
    print(f"backfill on {processes} worker process(es) in {nodes} node(s): {elapsed:.2f} s, "
          f"{outcome['snapshots']:,} snapshots in {outcome['chunks']} chunks, {outcome['alerts_opened']} alerts",
          flush=True)
    return elapsed


def reference() -> float:
    """The fastest reference statement for the same 24 months, kept (bench/kpi_references.py), in this run."""
    from datetime import date

    sys.path.insert(0, str(ROOT / "bench"))
    from django.db import transaction
    from kpi_references import BACKFILL_REFERENCE, SESSION, statements

    with connection.cursor() as cursor:
        for setting in SESSION:
            cursor.execute(setting)
        cursor.execute("DROP TABLE IF EXISTS bench_reference")
        start = time.perf_counter()
        with transaction.atomic():
            for statement in statements(BACKFILL_REFERENCE(date(2024, 7, 1), date(2026, 6, 1)), kept=True):
                cursor.execute(statement)
        elapsed = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_reference")
    connection.close()
    return elapsed


def main():
    counts = [int(n) for n in os.environ.get("BENCH_WORKERS", "1,2,4").split(",")]
    times = {}
    for n in counts:
        ref = reference()
        times[n] = run(n)
        print(f"  reference statement just before: {ref:.2f} s; {n} process(es) ÷ reference {times[n] / ref:.2f}",
              flush=True)
        times[f"reference_{n}"] = ref
    if 1 in times and 2 in times:
        print(f"1 → 2 worker processes: {times[1] / times[2]:.2f}× faster (2 shared cores, PostgreSQL on the same "
              "machine)")
    if 2 in times and 4 in times:
        print(f"2 → 4 worker processes (two nodes): {times[2] / times[4]:.2f}× faster (the same 2 cores)")
    print("RESULTS " + json.dumps({str(k): v for k, v in times.items()}), flush=True)


if __name__ == "__main__":
    main()
