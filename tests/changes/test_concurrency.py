"""Real threads against PostgreSQL: the product row lock (and the partial unique constraint) keep one open change."""
import threading

import pytest
from django.db import connection

from approvals.models import GateReview
from changes import services
from changes.models import Change
from tests.factories import UserFactory
from tests.helpers import api

from .conftest import change_data

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 12


def run_threads(worker, count=THREADS):
    barrier = threading.Barrier(count)
    results = [None] * count

    def target(index):
        try:
            barrier.wait()
            results[index] = worker(index)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_proposals_for_one_product_leave_exactly_one_open_change(launched):
    head = UserFactory(username="head_conc", role="head_of_product")
    url = f"/api/v1/products/{launched.pk}/changes/"
    payload = {"summary": "并发", "reason": "internal", "terms": {"fee": "90"}}
    codes = run_threads(lambda i: api(launched.owner if i % 2 else head).post(
        url, payload, format="json").status_code)
    assert sorted(codes) == [201] + [409] * (THREADS - 1)
    assert Change.objects.filter(product=launched).count() == 1


def test_concurrent_submits_of_one_change_open_exactly_one_review(launched):
    change = services.change_create(user=launched.owner, product=launched, data=change_data())
    url = f"/api/v1/changes/{change.pk}/submit/"
    codes = run_threads(lambda i: api(launched.owner).post(url, format="json").status_code)
    assert sorted(codes) == [201] + [409] * (THREADS - 1)
    assert GateReview.objects.filter(product=launched, process="change").count() == 1
    change.refresh_from_db()
    assert change.status == "submitted"
