"""The pilot is part of what is approved: its scope, window and criteria are stated in the change, frozen by the
review; starting it may narrow the plan, never widen it, and never before the approval."""
import datetime as dt

import pytest
from django.utils import timezone

from changes import services
from changes.models import Change, PilotCriterion
from core.errors import FieldValidationError
from core.models import AuditEntry
from tests.changes.conftest import approved_change, change_data, pilot_plan
from tests.helpers import api, assert_unchanged

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def scoped_plan():
    return pilot_plan(regions=["上海"], segments=["youth"], channels=["mobile_banking"], start=TODAY,
                      end=TODAY + dt.timedelta(days=60))


def test_a_pilot_change_without_a_plan_is_not_submitted(launched):
    change = services.change_create(user=launched.owner, product=launched, data=change_data(pilot=True,
                                                                                           pilot_plan=None))
    with assert_unchanged(Change), pytest.raises(FieldValidationError) as error:
        services.change_submit(user=launched.owner, change=change)
    assert set(error.value.errors) == {"pilot_plan"}


def test_the_plan_is_frozen_in_the_reviews_snapshot(launched, reviewers):
    change = approved_change(launched, reviewers, pilot=True, pilot_plan=scoped_plan())
    assert change.review.snapshot["change"]["pilot_plan"] == change.pilot_plan
    assert change.pilot_plan["segments"] == ["youth"] and change.pilot_plan["start"] == TODAY.isoformat()


def test_a_pilot_started_without_a_body_runs_as_approved(launched, reviewers):
    change = approved_change(launched, reviewers, pilot=True, pilot_plan=scoped_plan(), approved_days_ago=0)
    change = services.change_pilot_start(user=launched.owner, change=change, data={})
    assert (change.status, change.regions, change.segments, change.channels) == (
        "piloting", ["上海"], ["youth"], ["mobile_banking"])
    assert (change.pilot_start, change.pilot_end) == (TODAY, TODAY + dt.timedelta(days=60))
    assert [(c.metric.code, c.op, c.value) for c in change.criteria.all()] == [("csat", ">=", 80.0)]


def test_a_window_in_2020_after_an_approval_today_is_refused(launched, reviewers):
    change = approved_change(launched, reviewers, pilot=True, pilot_plan=pilot_plan(start=dt.date(2020, 1, 1)),
                             approved_days_ago=0)
    with assert_unchanged(Change, PilotCriterion, AuditEntry), pytest.raises(FieldValidationError) as error:
        services.change_pilot_start(user=launched.owner, change=change, data={
            "start": dt.date(2020, 1, 1), "end": dt.date(2020, 12, 31)})
    assert set(error.value.errors) == {"start"}


def test_an_approved_criterion_replaced_by_revenue_at_least_zero_is_refused(launched, reviewers):
    change = approved_change(launched, reviewers, pilot=True, pilot_plan=scoped_plan(), approved_days_ago=0)
    with assert_unchanged(Change, PilotCriterion), pytest.raises(FieldValidationError) as error:
        services.change_pilot_start(user=launched.owner, change=change, data={
            "criteria": [{"metric": "revenue", "op": ">=", "value": 0}]})
    assert set(error.value.errors) == {"criteria"}


def test_a_loosened_criterion_is_refused_and_a_stricter_one_accepted(launched, reviewers):
    change = approved_change(launched, reviewers, pilot=True, pilot_plan=scoped_plan(), approved_days_ago=0)
    with pytest.raises(FieldValidationError):
        services.change_pilot_start(user=launched.owner, change=change, data={
            "criteria": [{"metric": "csat", "op": ">=", "value": 50}]})
    change = services.change_pilot_start(user=launched.owner, change=change, data={
        "criteria": [{"metric": "csat", "op": ">=", "value": 90}]})
    assert change.criteria.get().value == 90.0


def test_segments_and_a_channel_the_change_never_named_are_refused(launched, reviewers):
    change = approved_change(launched, reviewers, pilot=True, pilot_plan=scoped_plan(), approved_days_ago=0)
    with assert_unchanged(Change, PilotCriterion), pytest.raises(FieldValidationError) as error:
        services.change_pilot_start(user=launched.owner, change=change, data={
            "segments": ["youth", "senior"], "channels": ["branch"]})
    assert set(error.value.errors) == {"segments", "channels"}


def test_the_api_starts_the_approved_pilot_from_an_empty_body_and_refuses_a_wider_one(launched, reviewers):
    change = approved_change(launched, reviewers, pilot=True, pilot_plan=scoped_plan(), approved_days_ago=0)
    client = api(launched.owner)
    wider = client.post(f"/api/v1/changes/{change.pk}/pilot/", {"channels": ["branch"]}, format="json")
    assert wider.status_code == 400 and "channels" in wider.json(), wider.content
    response = client.post(f"/api/v1/changes/{change.pk}/pilot/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["segments"] == ["youth"] and response.json()["pilot_plan"]["channels"] == [
        "mobile_banking"]


def test_the_api_takes_the_plan_with_the_draft(launched):
    body = {"summary": "年费下调", "reason": "competitor", "terms": {"fee": "80"}, "pilot": True,
            "pilot_plan": {"segments": ["youth"], "start": TODAY.isoformat(),
                           "end": (TODAY + dt.timedelta(days=30)).isoformat(),
                           "criteria": [{"metric": "csat", "op": ">=", "value": 80}]}}
    response = api(launched.owner).post(f"/api/v1/products/{launched.pk}/changes/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["pilot_plan"]["segments"] == ["youth"]
