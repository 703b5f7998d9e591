"""A real Celery worker consuming from the real Redis runs the compute task end to end."""
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from bankpm.celery import app
from kpis.models import Snapshot, TaskRun
from kpis.tasks import compute_kpi_snapshots
from tests.factories import ProductFactory, UserFactory, observe
from tests.helpers import api


@pytest.mark.django_db(transaction=True)
def test_worker_computes_snapshots_and_the_task_endpoint_reports_success(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    queue = f"kpis-test-{uuid.uuid4().hex[:8]}"  # xdist-safe: each run has its own queue
    product = ProductFactory(code="DEP-W")
    observe(product, "revenue", "2026-09-05", 50)
    observe(product, "revenue", "2026-10-05", 60)
    head = UserFactory(username="head_w", role="head_of_product")
    try:
        with start_worker(app, perform_ping_check=False, queues=[queue], pool="solo", shutdown_timeout=10):
            run = TaskRun.objects.create(id=uuid.uuid4(), task=compute_kpi_snapshots.name,
                                         arguments=["2026-10", "month"], started_by=head)
            result = compute_kpi_snapshots.apply_async(args=run.arguments, task_id=str(run.id), queue=queue)
            assert result.get(timeout=30) == {"periods": 1, "snapshots": 1, "alerts_opened": 0,
                                              "alerts_resolved": 0}
            body = api(head).get(f"/api/v1/tasks/{result.id}/").json()
    finally:
        app.conf.task_always_eager = True
        connection.close()
    assert body["state"] == "SUCCESS"
    assert body["result"]["snapshots"] == 1
    row = Snapshot.objects.get(product=product, period="2026-10")
    assert (row.value, row.previous_value, row.change_pct) == (60, 50, pytest.approx(20.0))


def test_task_endpoint_reports_progress_stored_in_the_result_backend(pm):
    """What update_state(state="PROGRESS", meta=...) writes to Redis is what GET /api/v1/tasks/{id}/ shows."""
    task_id = str(TaskRun.objects.create(id=uuid.uuid4(), task=compute_kpi_snapshots.name, started_by=pm).id)
    app.backend.store_result(task_id, {"done": 3, "total": 24}, "PROGRESS")
    body = api(pm).get(f"/api/v1/tasks/{task_id}/").json()
    assert body == {"id": task_id, "state": "PROGRESS", "progress": {"done": 3, "total": 24}, "result": None}


def test_a_long_backfill_fans_out_in_chunks_and_reports_the_totals(transactional_db, settings):
    from kpis.tasks import FANOUT_CHUNK, FANOUT_THRESHOLD

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    queue = f"kpis-test-{uuid.uuid4().hex[:8]}"
    product = ProductFactory(code="DEP-F")
    months = [f"{2025 + (m // 12)}-{m % 12 + 1:02d}" for m in range(FANOUT_THRESHOLD + 2)]
    for month in months:
        observe(product, "revenue", f"{month}-05", 10)
    try:
        with start_worker(app, perform_ping_check=False, queues=[queue], pool="solo", shutdown_timeout=10):
            result = compute_kpi_snapshots.apply_async(args=[months[0], "month"], kwargs={"through": months[-1]},
                                                       queue=queue)
            outcome = result.get(timeout=60)
    finally:
        app.conf.task_always_eager = True
        connection.close()
    chunks = -(-len(months) // FANOUT_CHUNK)
    assert outcome == {"periods": len(months), "snapshots": len(months), "alerts_opened": 0, "alerts_resolved": 0,
                       "chunks": chunks}
    assert Snapshot.objects.filter(product=product, metric__code="revenue").count() == len(months)
