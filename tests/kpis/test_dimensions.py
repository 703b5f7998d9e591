"""Figures by segment, channel and region: the total/dimension rule, the roll-up, and snapshots per dimension."""
import json
from datetime import date

import pytest

from kpis import services
from kpis.choices import IngestError, ObservationSource
from kpis.models import DimensionObservation, DimensionSnapshot, Observation, Snapshot
from tests.factories import ProductFactory, metric, region
from tests.helpers import api

pytestmark = pytest.mark.django_db
URL = "/api/v1/metrics/observations/"


def post(user, items):
    return api(user).post(URL, json.dumps(items), content_type="application/json")


@pytest.fixture
def product(pm):
    region("east")
    region("west", "华西", "West China")
    return ProductFactory(code="CC-D", owner=pm)


def item(**overrides):
    return {"product": "CC-D", "metric": "revenue", "date": "2026-10-01", "value": 10, **overrides}


def total(product, code="revenue", day="2026-10-01"):
    return Observation.objects.get(product=product, metric=metric(code), date=date.fromisoformat(day))


def test_dimensioned_rows_are_stored_and_the_total_is_rolled_up_from_them(pm, product):
    response = post(pm, [item(segment="youth", value=10), item(segment="affluent", value=5.5)])
    assert response.status_code == 200, response.content
    assert DimensionObservation.objects.count() == 2
    rolled = total(product)
    assert (rolled.value, rolled.source) == (15.5, ObservationSource.ROLLUP)


def test_a_later_batch_for_the_same_day_rolls_the_total_up_again(pm, product):
    post(pm, [item(segment="youth", value=10)])
    post(pm, [item(segment="affluent", value=4)])
    assert total(product).value == 14


def test_an_average_metric_rolls_up_as_the_average_of_its_rows(pm, product):
    post(pm, [item(metric="csat", region="east", value=80), item(metric="csat", region="west", value=90)])
    assert total(product, "csat").value == 85


def test_a_total_for_a_day_with_dimensioned_rows_is_refused_and_nothing_is_written(pm, product):
    post(pm, [item(segment="youth", value=10)])
    response = post(pm, [item(date="2026-10-02"), item(value=99)])
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 1, "errors": {"non_field_errors": [IngestError.TOTAL_AND_DIMENSIONS.label]}}]
    assert total(product).value == 10
    assert not Observation.objects.filter(date=date(2026, 10, 2)).exists()


def test_dimensioned_rows_for_a_day_with_a_sent_total_are_refused(pm, product):
    post(pm, [item(value=99)])
    response = post(pm, [item(channel="branch", value=1)])
    assert response.status_code == 400
    assert response.json()["errors"][0]["errors"] == {
        "non_field_errors": [IngestError.TOTAL_AND_DIMENSIONS.label]}
    assert total(product).value == 99
    assert not DimensionObservation.objects.exists()


def test_a_total_and_dimensioned_rows_of_one_day_in_one_batch_are_refused(pm, product):
    response = post(pm, [item(value=99), item(segment="youth", value=1)])
    assert response.status_code == 400
    assert not Observation.objects.exists() and not DimensionObservation.objects.exists()


def test_rows_of_one_day_with_different_dimension_sets_are_refused(pm, product):
    response = post(pm, [item(segment="youth"), item(channel="branch")])
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 1, "errors": {"non_field_errors": [IngestError.MIXED_DIMENSIONS.label]}}]


def test_rows_for_a_stored_day_broken_down_otherwise_are_refused_by_index(pm, product):
    post(pm, [item(segment="youth", value=10)])
    response = post(pm, [item(date="2026-10-02", channel="branch"), item(channel="branch", value=3)])
    assert response.json()["errors"] == [
        {"index": 1, "errors": {"non_field_errors": [IngestError.MIXED_DIMENSIONS.label]}}]
    assert DimensionObservation.objects.count() == 1 and total(product).value == 10


def test_rows_for_a_stored_day_broken_down_the_same_way_are_added(pm, product):
    post(pm, [item(segment="youth", value=10)])
    response = post(pm, [item(segment="affluent", value=3), item(date="2026-10-02", channel="branch", value=1)])
    assert response.status_code == 200, response.content
    assert total(product).value == 13


def test_unknown_dimension_codes_and_inactive_regions_are_refused_per_field(pm, product):
    region("north", "华北", "North China", is_active=False)
    response = post(pm, [item(segment="martians", channel="fax", region="north")])
    assert response.json()["errors"] == [{"index": 0, "errors": {
        "segment": [IngestError.UNKNOWN_SEGMENT.label], "channel": [IngestError.UNKNOWN_CHANNEL.label],
        "region": [IngestError.UNKNOWN_REGION.label]}}]


def test_the_same_dimension_values_twice_in_one_batch_are_duplicates(pm, product):
    response = post(pm, [item(segment="youth"), item(segment="youth")])
    assert response.status_code == 400
    assert list(response.json()["errors"][0]["errors"]) == ["date"]


def test_snapshots_are_computed_per_dimension_value_and_for_the_total(pm, product):
    post(pm, [item(segment="youth", region="east", value=10), item(segment="youth", region="west", value=5),
              item(segment="affluent", region="east", value=1),
              item(date="2026-09-10", segment="youth", region="east", value=3)])
    services.kpi_snapshots_compute(period="2026-10", granularity="month")
    rows = {(s.dimension, s.member): (s.value, s.previous_value)
            for s in DimensionSnapshot.objects.filter(metric=metric("revenue"), period="2026-10")}
    assert rows == {("segment", "youth"): (15, 3), ("segment", "affluent"): (1, None),
                    ("region", "east"): (11, 3), ("region", "west"): (5, None)}
    assert Snapshot.objects.get(metric=metric("revenue"), period="2026-10").value == 16


def test_derived_metrics_are_computed_per_dimension_value(pm, product):
    post(pm, [item(segment="youth", value=10), item(metric="cost", segment="youth", value=4)])
    services.kpi_snapshots_compute(period="2026-10", granularity="month")
    assert DimensionSnapshot.objects.get(metric=metric("profit"), member="youth").value == 6
