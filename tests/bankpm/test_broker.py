"""A request never waits on the broker: a gate submit and a compute request return at once even when publishing
hangs, and the outboxes keep the work."""
import time
from contextlib import contextmanager
from unittest import mock

import pytest
from rest_framework.test import APIClient

from bankpm.celery import app as celery_app
from kpis.models import TaskRun
from kpis.tasks import compute_kpi_snapshots
from lifecycle import services
from notifications.models import Notification
from notifications.tasks import send_notification_emails
from tests.factories import ProductFactory, UserFactory, complete_deliverables, reviewer_for

pytestmark = pytest.mark.django_db
HANG = 3.0


@contextmanager
def hanging_broker(task, method):
    """Real (non-eager) publishing that takes HANG seconds, as against a broker that does not answer."""
    published = []

    def slow(*args, **kwargs):
        time.sleep(HANG)
        published.append(args)

    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        with mock.patch.object(task, method, slow):
            yield published
    finally:
        celery_app.conf.task_always_eager = saved


def timed(callable_, callbacks_capture):
    started = time.perf_counter()
    with callbacks_capture(execute=True):
        callable_()
    return time.perf_counter() - started


def test_a_gate_submit_does_not_wait_on_a_hanging_broker(django_capture_on_commit_callbacks):
    owner = UserFactory(username="owner_b", role="product_manager")
    product = ProductFactory(owner=owner, category="credit_card", risk_rating="R3")
    complete_deliverables(product)
    reviewer_for("risk")
    with hanging_broker(send_notification_emails, "delay"):
        elapsed = timed(lambda: services.gate_review_submit(product=product, user=owner),
                        django_capture_on_commit_callbacks)
    assert elapsed < HANG / 2
    assert Notification.objects.filter(send_email=True, emailed_at__isnull=True).exists()


def test_a_compute_request_does_not_wait_on_a_hanging_broker(head, django_capture_on_commit_callbacks):
    client = APIClient()
    client.force_authenticate(head)
    with hanging_broker(compute_kpi_snapshots, "apply_async"):
        elapsed = timed(lambda: client.post("/api/v1/kpi-snapshots/compute/",
                                            {"period": "2026-10", "granularity": "month"}, format="json"),
                        django_capture_on_commit_callbacks)
    assert elapsed < HANG / 2 and TaskRun.objects.filter(started_by=head).exists()
