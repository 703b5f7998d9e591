"""The fast ingestion of a JSON body (kpis.services.observations_ingest_json) accepts only what the full checks
accept, and hands the storage exactly the rows they would."""
import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpis import services
from kpis.models import DimensionObservation, Observation
from tests.factories import ProductFactory, region
from tests.helpers import FUZZ_DERANDOMIZED

pytestmark = pytest.mark.django_db

GOOD = {"product": ["CC-T"], "metric": ["revenue", "csat", "nps"], "date": ["2026-10-01", "2026-10-02", "1970-01-01"],
        "value": [0, 12.5, -3, 100, 1e20, 10**25]}
BAD = {"product": ["CC-O", "NOPE", "", "CC-T\x00", 5, None, ["CC-T"]],
       "metric": ["profit", "requirements_delivered", "x", None, 3, {}],
       "date": ["2026-02-30", "1969-12-31", "2100-01-01", "20261001", "2026-10-01T00:00", 20261001, None],
       "value": [True, "12", None, 101, -101, 10**400, float("nan"), float("inf"), [1]]}


DIMENSIONS = {"segment": ["youth", "affluent", "", None, "nobody", 3],
              "channel": ["branch", "mobile_banking", None, "x"], "region": ["sh", None, "mars"]}


@st.composite
def items(draw):
    item = {}
    for name in ("product", "metric", "date", "value"):
        pool = GOOD[name] + BAD[name] if draw(st.integers(0, 9)) == 0 else GOOD[name]
        if draw(st.integers(0, 29)) != 0:  # now and then a field is left out
            item[name] = draw(st.sampled_from(pool))
    for name, pool in DIMENSIONS.items():  # now and then a figure by segment, channel or region
        if draw(st.integers(0, 5)) == 0:
            item[name] = draw(st.sampled_from(pool))
    if draw(st.integers(0, 29)) == 0:
        item["colour"] = "red"
    return item if draw(st.integers(0, 49)) else draw(st.sampled_from([[item], "item", 1]))


@pytest.fixture
def products(pm, other_pm):
    region("sh", "上海", "Shanghai")
    ProductFactory(code="CC-T", owner=pm)
    ProductFactory(code="CC-O", owner=other_pm)


def stored_by(monkeypatch):
    """What reaches the storage: the rows handed to `_store`, per call."""
    calls = []
    real = services._store

    def spy(rows, **kwargs):
        calls.append((tuple(list(column) for column in rows), kwargs.get("dimensioned") or []))
        return real(rows, **kwargs)
    monkeypatch.setattr(services, "_store", spy)
    return calls


def full_path(user, body):
    try:
        return services.observations_ingest(user=user, items=json.loads(body), dry_run=True)
    except (services.BulkValidationError, services.ValidationError):
        return "refused"


# The same 300 batches on every CI run; BANKPM_FUZZ_RANDOM=1 draws new ones (as for the API fuzzing).
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck),
          derandomize=FUZZ_DERANDOMIZED)
@given(batch=st.lists(items(), min_size=0, max_size=6))
def test_a_batch_the_fast_way_takes_is_one_the_full_checks_accept_with_the_same_rows(pm, products, monkeypatch,
                                                                                      batch):
    body = json.dumps(batch).encode()
    with monkeypatch.context() as patch:
        calls = stored_by(patch)
        fast = services.observations_ingest_json(user=pm, body=body, dry_run=True)
        full = full_path(pm, body)
    if fast is not None:
        assert full == fast
        assert calls[0] == calls[1]
    if all(type(item) is dict for item in batch) and full != "refused" and not any(
            type(item["value"]) is int and abs(item["value"]) > 2**64 for item in batch):
        assert fast is not None, "a clean batch should not need the full checks"


def test_a_clean_batch_is_stored_without_the_full_checks(pm, products, monkeypatch):
    monkeypatch.setattr(services, "_validate_items", None)  # would fail if called
    body = json.dumps([{"product": "CC-T", "metric": "revenue", "date": "2026-10-01", "value": 7}]).encode()
    result = services.observations_ingest_json(user=pm, body=body)
    assert (result.received, result.created) == (1, 1)
    assert list(Observation.objects.values_list("product__code", "metric__code", "value")) == [
        ("CC-T", "revenue", 7.0)]


@pytest.mark.parametrize("body", [
    b"not json", b"{}", b"[]", b'[{"product": "CC-O", "metric": "revenue", "date": "2026-10-01", "value": 1}]',
    b'[{"product": "CC-T", "metric": "csat", "date": "2026-10-01", "value": 101}]',
    b'[{"product": "CC-T", "metric": "revenue", "date": "2026-10-01", "value": 1},'
    b' {"product": "CC-T", "metric": "revenue", "date": "2026-10-01", "value": 2}]',
])
def test_a_body_with_any_problem_is_left_to_the_full_checks_and_nothing_is_written(pm, products, body):
    assert services.observations_ingest_json(user=pm, body=body) is None
    assert not Observation.objects.exists()


def test_a_reviewer_is_refused_on_the_fast_way_too(reviewer, products):
    body = json.dumps([{"product": "CC-T", "metric": "revenue", "date": "2026-10-01", "value": 7}]).encode()
    with pytest.raises(services.PermissionDenied):
        services.observations_ingest_json(user=reviewer, body=body)
    assert not Observation.objects.exists()


def test_a_clean_batch_by_dimension_is_stored_without_the_full_checks(pm, products, monkeypatch):
    monkeypatch.setattr(services, "_validate_items", None)  # would fail if called
    body = json.dumps([{"product": "CC-T", "metric": "revenue", "date": "2026-10-01", "value": 7, "segment": "youth",
                        "region": "sh"},
                       {"product": "CC-T", "metric": "revenue", "date": "2026-10-01", "value": 3, "segment": "affluent",
                        "region": "sh"}]).encode()
    result = services.observations_ingest_json(user=pm, body=body)
    assert (result.received, result.created) == (2, 2)
    assert list(DimensionObservation.objects.order_by("segment").values_list("segment", "value")) == [
        ("affluent", 3.0), ("youth", 7.0)]
    assert Observation.objects.get().value == 10.0  # the day's total rolled up


def test_a_batch_of_totals_and_figures_by_dimension_of_other_days_is_stored_without_the_full_checks(
        pm, products, monkeypatch):
    monkeypatch.setattr(services, "_validate_items", None)  # would fail if called
    body = json.dumps([{"product": "CC-T", "metric": "revenue", "date": "2026-10-01", "value": 7},
                       {"product": "CC-T", "metric": "revenue", "date": "2026-10-02", "value": 3, "segment": "youth"},
                       {"product": "CC-T", "metric": "revenue", "date": "2026-10-02", "value": 4,
                        "segment": "affluent"}]).encode()
    result = services.observations_ingest_json(user=pm, body=body)
    assert (result.received, result.created) == (3, 3)
    assert list(Observation.objects.order_by("date").values_list("date", "value", "source")) == [
        (date(2026, 10, 1), 7.0, "api"), (date(2026, 10, 2), 7.0, "rollup")]


def test_a_figure_by_dimension_sent_twice_is_left_to_the_full_checks(pm, products):
    item = {"product": "CC-T", "metric": "revenue", "date": "2026-10-01", "value": 3, "segment": "youth"}
    assert services.observations_ingest_json(user=pm, body=json.dumps([item, {**item, "value": 4}]).encode()) is None
    assert not DimensionObservation.objects.exists()


def test_a_figure_by_dimension_sent_twice_beside_a_stored_one_is_left_to_the_full_checks(pm, products):
    item = {"product": "CC-T", "metric": "revenue", "date": "2026-10-01", "value": 3, "segment": "youth"}
    services.observations_ingest_json(user=pm, body=json.dumps([item]).encode())  # the merge's way, not the COPY's
    twice = [item, {**item, "segment": "affluent"}, {**item, "segment": "affluent", "value": 4}]
    assert services.observations_ingest_json(user=pm, body=json.dumps(twice).encode()) is None
    assert list(DimensionObservation.objects.values_list("segment", "value")) == [("youth", 3.0)]
    assert Observation.objects.get().value == 3.0


def test_a_figure_by_dimension_sent_twice_is_left_to_the_full_checks_in_a_dry_run(pm, products):
    item = {"product": "CC-T", "metric": "revenue", "date": "2026-10-01", "value": 3, "segment": "youth"}
    assert services.observations_ingest_json(user=pm, body=json.dumps([item, item]).encode(), dry_run=True) is None


def test_a_total_and_figures_by_dimension_for_one_day_are_left_to_the_full_checks(pm, products):
    body = json.dumps([{"product": "CC-T", "metric": "revenue", "date": "2026-10-01", "value": 7},
                       {"product": "CC-T", "metric": "revenue", "date": "2026-10-01", "value": 3, "segment": "youth"}])
    assert services.observations_ingest_json(user=pm, body=body.encode()) is None
    assert not DimensionObservation.objects.exists()
