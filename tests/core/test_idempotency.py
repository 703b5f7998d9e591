"""Idempotency-Key on the creating and deciding POSTs (core.idempotency): replay, 422, per user, expiry, races."""
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from core.idempotency import idempotency_purge
from core.models import AuditEntry, IdempotencyRecord
from kpis.models import Observation
from lifecycle.models import ApprovalStep, GateReview
from products.models import Product
from requirements.models import Requirement
from tests.factories import ProductFactory, UserFactory, advance_to, complete_deliverables
from tests.helpers import api, race_values

pytestmark = pytest.mark.django_db
BULK = "/api/v1/requirements/bulk/"


def requirement(product, title="信用卡分期手续费减免"):
    return {"product": product.pk, "title": title, "source": "market_research", "type": "feature", "priority": "P1",
            "reach": 4000, "impact": "2.00", "confidence": 50, "effort": "2.0"}


def post(user, url, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return api(user).post(url, json.dumps(body), content_type="application/json", **headers)


def test_the_same_key_and_body_answer_the_first_response_again_and_create_once(pm):
    product = ProductFactory(owner=pm)
    first = post(pm, BULK, [requirement(product)], key="k-1")
    again = post(pm, BULK, [requirement(product)], key="k-1")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Requirement.objects.count() == 1


def test_the_same_key_with_another_body_is_422_and_does_nothing(pm):
    product = ProductFactory(owner=pm)
    post(pm, BULK, [requirement(product)], key="k-1")
    response = post(pm, BULK, [requirement(product, title="另一个需求")], key="k-1")
    assert response.status_code == 422
    assert response.json()["detail"]
    assert list(Requirement.objects.values_list("title", flat=True)) == ["信用卡分期手续费减免"]


def test_the_same_key_on_another_endpoint_is_422(pm):
    product = ProductFactory(owner=pm)
    post(pm, BULK, [requirement(product)], key="k-1")
    response = post(pm, "/api/v1/requirements/", requirement(product), key="k-1")
    assert response.status_code == 422
    assert Requirement.objects.count() == 1


def test_keys_are_per_user(pm, head):
    product = ProductFactory(owner=pm)
    post(pm, BULK, [requirement(product)], key="shared")
    response = post(head, BULK, [requirement(product)], key="shared")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Requirement.objects.count() == 2


def test_without_a_key_every_post_does_the_work(pm):
    product = ProductFactory(owner=pm)
    post(pm, BULK, [requirement(product)])
    post(pm, BULK, [requirement(product)])
    assert Requirement.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_a_refused_request_keeps_no_record_so_the_corrected_retry_runs(pm):
    product = ProductFactory(owner=pm)
    refused = post(pm, BULK, [requirement(product, title="")], key="k-1")
    assert refused.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    fixed = post(pm, BULK, [requirement(product)], key="k-1")
    assert fixed.status_code == 201
    assert Requirement.objects.count() == 1


def test_a_malformed_key_is_a_400_naming_the_header(pm):
    product = ProductFactory(owner=pm)
    response = post(pm, BULK, [requirement(product)], key="x" * 256)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert Requirement.objects.count() == 0


def test_a_key_older_than_24_hours_is_forgotten(pm):
    product = ProductFactory(owner=pm)
    post(pm, BULK, [requirement(product)], key="k-1")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))
    response = post(pm, BULK, [requirement(product, title="另一个需求")], key="k-1")
    assert response.status_code == 201
    assert Requirement.objects.count() == 2


def test_the_purge_removes_only_expired_records(pm):
    product = ProductFactory(owner=pm)
    post(pm, BULK, [requirement(product)], key="old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    post(pm, BULK, [requirement(product, title="另一个需求")], key="new")
    assert idempotency_purge() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_observation_ingestion_replays_its_first_counts(pm):
    ProductFactory(code="CC-T", owner=pm)
    items = [{"product": "CC-T", "metric": "revenue", "date": "2026-10-01", "value": 12.5}]
    first = post(pm, "/api/v1/metrics/observations/", items, key="obs-1")
    again = post(pm, "/api/v1/metrics/observations/", items, key="obs-1")
    assert first.json() == again.json() == {"received": 1, "created": 1, "updated": 0, "dry_run": False}
    assert Observation.objects.count() == 1


def test_a_replayed_decision_records_the_step_once(reviewers):
    owner = UserFactory(username="owner_pm", role="product_manager", departments=["product"])
    product = ProductFactory(owner=owner, category="credit_card", risk_rating="R3")
    advance_to(product, "development", reviewers)
    complete_deliverables(product)
    review = post(owner, f"/api/v1/products/{product.pk}/gate-reviews/", {}, key="submit").json()
    url = f"/api/v1/gate-reviews/{review['id']}/decisions/"
    body = {"department": "risk", "decision": "approve", "comment": "同意"}
    assert post(reviewers["risk"], url, body, key="d-1").status_code == 201
    assert post(reviewers["risk"], url, body, key="d-1").status_code == 201
    assert post(owner, f"/api/v1/products/{product.pk}/gate-reviews/", {}, key="submit").status_code == 201
    assert ApprovalStep.objects.filter(review_id=review["id"], status="approved").count() == 1
    steps = [str(pk) for pk in ApprovalStep.objects.filter(review_id=review["id"]).values_list("pk", flat=True)]
    assert AuditEntry.objects.filter(action="step_approved", object_id__in=steps).count() == 1
    assert GateReview.objects.filter(product=product, status="pending").count() == 1


def test_a_product_create_is_replayed(head):
    owner = ProductFactory().owner
    body = {"code": "IDEM-1", "name": "幂等产品", "name_en": "Idempotent", "category": "credit_card",
            "customer_segment": "mass_market", "risk_rating": "R2", "owner": owner.pk}
    first = post(head, "/api/v1/products/", body, key="p-1")
    again = post(head, "/api/v1/products/", body, key="p-1")
    assert first.status_code == again.status_code == 201, first.content
    assert Product.objects.filter(code="IDEM-1").count() == 1


def test_the_schema_declares_the_header_and_the_422(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    for path in ("/api/v1/requirements/bulk/", "/api/v1/metrics/observations/", "/api/v1/requirements/",
                 "/api/v1/gate-reviews/{id}/decisions/", "/api/v1/products/{product_pk}/exit-plan/progress/"):
        operation = paths[path]["post"]
        assert "Idempotency-Key" in [p["name"] for p in operation["parameters"] if p["in"] == "header"], path
        assert "422" in operation["responses"], path
    assert "Idempotency-Key" not in json.dumps(paths["/api/v1/requirements/{id}/transitions/"])


@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_with_one_key_do_the_work_once_and_answer_alike(pm):
    product = ProductFactory(owner=pm)
    responses = race_values(lambda i: post(pm, BULK, [requirement(product)], key="race"), 8)
    assert [r.status_code for r in responses] == [201] * 8
    assert len({r.content for r in responses}) == 1
    assert sum(r.get("Idempotent-Replayed") == "true" for r in responses) == 7
    assert Requirement.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_with_one_key_and_different_bodies_do_one_and_refuse_the_rest(pm):
    product = ProductFactory(owner=pm)
    responses = race_values(lambda i: post(pm, BULK, [requirement(product, title=f"需求{i}")], key="race"), 6)
    assert sorted(r.status_code for r in responses) == [201] + [422] * 5
    assert Requirement.objects.count() == 1
