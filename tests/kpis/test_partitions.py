"""Observation partitions on PostgreSQL: routing by month, creation ahead, rows moved out of the default."""
from datetime import date

import pytest

from kpis import partitions
from kpis.tasks import ensure_observation_partitions
from tests.factories import ProductFactory, metric, observe

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    return ProductFactory(code="DEP-P")


def where(product, day):
    return partitions.partition_of(product_id=product.pk, metric_id=metric("revenue").pk, day=date.fromisoformat(day))


def test_an_observation_lands_in_its_months_partition(product):
    partitions.observation_partitions_ensure(first=date(2031, 3, 1), last=date(2031, 4, 30))
    observe(product, "revenue", "2031-03-31", 1)
    observe(product, "revenue", "2031-04-01", 2)
    assert where(product, "2031-03-31") == "kpis_observation_p203103"
    assert where(product, "2031-04-01") == "kpis_observation_p203104"


def test_a_month_without_a_partition_lands_in_the_default(product):
    observe(product, "revenue", "1990-05-10", 1)
    assert where(product, "1990-05-10") == "kpis_observation_default"


def test_creating_a_partition_moves_its_rows_out_of_the_default(product):
    observe(product, "revenue", "1990-05-10", 1)
    observe(product, "revenue", "1990-06-10", 2)
    assert partitions.observation_partitions_ensure(first=date(1990, 5, 1), last=date(1990, 5, 1)) == [
        "kpis_observation_p199005"]
    assert where(product, "1990-05-10") == "kpis_observation_p199005"
    assert where(product, "1990-06-10") == "kpis_observation_default"


def test_the_beat_creates_this_month_and_the_next_three_ahead(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: date(2040, 11, 20))
    assert ensure_observation_partitions() == [
        "kpis_observation_p204011", "kpis_observation_p204012", "kpis_observation_p204101", "kpis_observation_p204102"]
    assert ensure_observation_partitions() == []


def test_ingestion_creates_the_partitions_of_the_months_it_writes(pm):
    import json

    from rest_framework.test import APIClient

    ProductFactory(code="DEP-Q", owner=pm)
    client = APIClient()
    client.force_authenticate(pm)
    items = [{"product": "DEP-Q", "metric": "revenue", "date": "1983-01-15", "value": 1}]
    response = client.post("/api/v1/metrics/observations/", json.dumps(items), content_type="application/json")
    assert response.status_code == 200
    assert "kpis_observation_p198301" in partitions.existing_partitions()


def test_ingestion_creates_only_the_months_it_names_not_every_month_between(pm):
    from kpis import services

    ProductFactory(code="DEP-R", owner=pm)
    before = partitions.existing_partitions()
    services.observations_ingest(user=pm, items=[
        {"product": "DEP-R", "metric": "revenue", "date": day, "value": 1} for day in ("1971-02-03", "1988-11-30")])
    assert partitions.existing_partitions() - before == {"kpis_observation_p197102", "kpis_observation_p198811"}
