"""Requested computations: recorded for their starter, re-published when nobody picked them up, failed when their
worker went silent, and asked for again after that."""
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from bankpm.celery import app
from kpis import services, tasks
from kpis.models import Snapshot, TaskRun
from tests.factories import ProductFactory, observe

pytestmark = pytest.mark.django_db


def run_for(user, *, age, heartbeat_age=None):
    now = timezone.now()
    run = TaskRun.objects.create(id=uuid.uuid4(), task=services.COMPUTE_TASK, arguments=["2026-10", "month"],
                                 started_by=user)
    TaskRun.objects.filter(pk=run.pk).update(
        created_at=now - age, heartbeat_at=None if heartbeat_age is None else now - heartbeat_age)
    return run


def state_of(user, run):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(f"/api/v1/tasks/{run.id}/").json()


def test_a_run_whose_worker_went_silent_is_marked_failed(head):
    run = run_for(head, age=timedelta(minutes=40), heartbeat_age=timedelta(minutes=11))
    app.backend.store_result(str(run.id), {"done": 71, "total": 84}, "PROGRESS")
    assert services.task_runs_sweep() == {"republished": 0, "abandoned": 1}
    body = state_of(head, run)
    assert body["state"] == "FAILURE" and "任务中断" in body["result"]


def test_a_run_that_still_reports_progress_is_left_alone(head):
    run = run_for(head, age=timedelta(minutes=40), heartbeat_age=timedelta(minutes=1))
    app.backend.store_result(str(run.id), {"done": 71, "total": 84}, "PROGRESS")
    assert services.task_runs_sweep() == {"republished": 0, "abandoned": 0}
    assert state_of(head, run)["state"] == "PROGRESS"


def test_every_silent_run_is_counted_as_failed(head):
    for _n in range(2):
        run_for(head, age=timedelta(minutes=40), heartbeat_age=timedelta(minutes=11))
    assert services.task_runs_sweep() == {"republished": 0, "abandoned": 2}
    assert TaskRun.objects.filter(abandoned_at__isnull=False).count() == 2


def test_a_run_a_worker_has_started_is_not_published_again(head):
    run_for(head, age=timedelta(minutes=3), heartbeat_age=timedelta(minutes=1))
    assert services.task_runs_sweep() == {"republished": 0, "abandoned": 0}


def test_a_run_nobody_picked_up_is_published_again(head, django_capture_on_commit_callbacks):
    product = ProductFactory(code="DEP-R")
    observe(product, "revenue", "2026-10-05", 60)
    run = run_for(head, age=timedelta(minutes=3))
    assert services.task_runs_sweep()["republished"] == 1
    run.refresh_from_db()
    assert run.heartbeat_at is not None and Snapshot.objects.filter(product=product, period="2026-10").exists()


def test_the_same_computation_can_be_asked_for_again_after_a_failure(head, django_capture_on_commit_callbacks):
    silent = run_for(head, age=timedelta(minutes=40), heartbeat_age=timedelta(minutes=30))
    services.task_runs_sweep()
    client = APIClient()
    client.force_authenticate(head)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/kpi-snapshots/compute/", {"period": "2026-10", "granularity": "month"},
                               format="json")
    assert response.status_code == 202 and response.json()["task_id"] != str(silent.id)


def test_the_sweeper_runs_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["kpis-sweep-task-runs"]
    assert entry["task"] == tasks.sweep_task_runs.name and entry["schedule"] == 60.0


def test_a_killed_worker_hands_its_task_back_promptly():
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.broker_transport_options["visibility_timeout"] <= 15 * 60


@pytest.fixture
def backend_down(monkeypatch):
    """The result backend (the broker's Redis) unreachable, as when the broker is down."""
    from celery.backends.redis import RedisBackend

    down = RedisBackend(app=app, url="redis://127.0.0.1:1/0")
    monkeypatch.setattr(type(app), "backend", property(lambda self: down))
    return down


def test_with_the_broker_down_a_run_answers_its_stored_state(head, backend_down):
    waiting = run_for(head, age=timedelta(minutes=1))
    started = run_for(head, age=timedelta(minutes=3), heartbeat_age=timedelta(minutes=1))
    assert state_of(head, waiting) == {"id": str(waiting.id), "state": "PENDING", "progress": None, "result": None}
    assert state_of(head, started)["state"] == "STARTED"


def test_with_the_broker_down_an_abandoned_run_answers_failure(head, backend_down):
    run = run_for(head, age=timedelta(minutes=40), heartbeat_age=timedelta(minutes=11))
    TaskRun.objects.filter(pk=run.pk).update(abandoned_at=timezone.now())
    body = state_of(head, run)
    assert body["state"] == "FAILURE" and "任务中断" in body["result"]
