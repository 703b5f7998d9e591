"""Backfill fanned out over real Celery workers: 1 worker process against 2, on the KPI benchmark's data.

Run by bench/__main__.py after kpis_bench.py (same scratch database, <name>_kpi_bench), or alone:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bankpm_kpi_bench CELERY_BROKER_URL=redis://127.0.0.1:6379/3 \
        .venv/bin/python bench/workers_bench.py

It starts `celery worker --concurrency N` on its own queue, sends the 24-month backfill (which becomes a chord of
4-month chunks, then one alert pass), waits for the result and reports the wall time for N = 1 and N = 2.
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


def run(concurrency: int) -> float:
    from kpis.tasks import compute_kpi_snapshots

    queue = f"kpibench-{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        # CASCADE: the tables that link alerts and snapshots (an exit plan's evidence) go too; the benchmark's
        # database has no exit plan.
        cursor.execute("TRUNCATE kpis_alert, kpis_snapshot CASCADE")
    connection.close()
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "bankpm", "worker", "-Q", queue, "-c", str(concurrency),
         "--pool", "prefork", "--loglevel", "WARNING", "-n", f"{queue}@%h"], cwd=ROOT, env=os.environ.copy())
    try:
        time.sleep(5)  # let the worker connect before timing
        start = time.perf_counter()
        result = compute_kpi_snapshots.apply_async(args=["2024-07", "month"], kwargs={"through": "2026-06"},
                                                   queue=queue)
        outcome = result.get(timeout=900)
        elapsed = time.perf_counter() - start
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    print(f"backfill on {concurrency} worker process(es): {elapsed:.2f} s, {outcome['snapshots']:,} snapshots in "
          f"{outcome['chunks']} chunks, {outcome['alerts_opened']} alerts", flush=True)
    return elapsed


def main():
    one = run(1)
    two = run(2)
    print(f"1 → 2 worker processes: {one / two:.2f}× faster (2 shared cores, PostgreSQL on the same machine)")
    print("RESULTS " + json.dumps({"one": one, "two": two}), flush=True)


if __name__ == "__main__":
    main()
