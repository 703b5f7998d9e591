"""Real threads against PostgreSQL: row locks and the partial unique constraint keep gates consistent."""
import threading
import time

import pytest
from django.db import connection
from rest_framework.test import APIClient

from core.audit import audit_verify
from core.models import AuditEntry
from lifecycle.models import ApprovalStep, GateReview
from tests.factories import UserFactory, complete_deliverables

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("restore_seed_rows")]
THREADS = 20


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


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_twenty_threads_submitting_for_one_product_open_exactly_one_review(product, owner):
    head = UserFactory(username="head_conc", role="head_of_product")
    complete_deliverables(product)
    url = f"/api/v1/products/{product.pk}/gate-reviews/"
    codes = run_threads(lambda i: client_for(owner if i % 2 else head).post(url, {}, format="json").status_code)
    assert sorted(codes) == [201] + [409] * (THREADS - 1)
    assert GateReview.objects.filter(product=product, status="pending").count() == 1
    assert AuditEntry.objects.filter(action="review_submitted").count() == 1
    assert audit_verify() is None


def test_twenty_threads_deciding_one_review_record_each_decision_once_and_move_once(submitted, reviewers):
    departments = ["risk", "compliance", "finance", "technology", "senior_management"]
    url = f"/api/v1/gate-reviews/{submitted.pk}/decisions/"

    def decide(index):
        department = departments[index % len(departments)]
        client = client_for(reviewers[department])
        for _ in range(200):  # senior management retries until the others are in
            response = client.post(url, {"department": department, "decision": "approve", "comment": str(index)},
                                   format="json")
            if response.status_code != 409 or response.json()["code"] != "step_not_open":
                return department, response.status_code
            time.sleep(0.02)
        return department, response.status_code

    results = run_threads(decide)
    assert all(code < 500 for _, code in results)
    for department in departments:
        codes = sorted(code for d, code in results if d == department)
        assert codes == [201, 409, 409, 409], department
    assert ApprovalStep.objects.filter(review=submitted, status="approved").count() == 5
    submitted.product.refresh_from_db()
    assert submitted.product.stage == "marketing"
    assert AuditEntry.objects.filter(product=submitted.product, action="stage_changed",
                                     to_value="marketing").count() == 1
    step_ids = [str(pk) for pk in submitted.steps.values_list("pk", flat=True)]
    assert AuditEntry.objects.filter(action="step_approved", object_id__in=step_ids).count() == 5
    assert audit_verify() is None
