"""GET /api/v1/product-reviews/?product=&status=&due_before= and one review: every signed-in role reads,
nobody writes through it, anonymous callers are refused."""
import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.helpers import api

from .conftest import opened, operating, submitted

pytestmark = pytest.mark.django_db
URL = "/api/v1/product-reviews/"


@pytest.fixture
def three(owner):
    """A preparing review due in 5 days, one in review due in 20, and a preparing one of another product in 40."""
    first = opened(operating(owner, code="RV-1"), due_in=5)
    second = submitted(opened(operating(owner, code="RV-2"), due_in=20))
    third = opened(operating(owner, code="RV-3"), due_in=40)
    return first, second, third


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_list_is_soonest_due_first(three, owner):
    assert ids(api(owner).get(URL)) == [r.pk for r in three]


def test_filter_by_product(three, owner):
    assert ids(api(owner).get(URL, {"product": three[1].product_id})) == [three[1].pk]


def test_filter_by_status(three, owner):
    assert ids(api(owner).get(URL, {"status": "in_review"})) == [three[1].pk]


def test_filter_by_due_before_includes_the_day(three, owner):
    day = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    assert ids(api(owner).get(URL, {"due_before": day})) == [three[0].pk, three[1].pk]


def test_an_unknown_status_is_a_400(three, owner):
    assert api(owner).get(URL, {"status": "nonsense"}).status_code == 400


def test_the_detail_names_the_engine_review_and_the_system_opener(three, owner):
    body = api(owner).get(f"{URL}{three[1].pk}/").json()
    assert (body["gate_review"], body["opened_by"], body["status"], body["product_code"]) == (
        three[1].gate_review_id, None, "in_review", "RV-2")


@pytest.mark.parametrize("role", ["product_manager", "reviewer", "senior_management", "head_of_product"])
def test_every_signed_in_role_reads(three, role):
    assert api(UserFactory(username=f"reader_{role}", role=role)).get(URL).status_code == 200


def test_anonymous_callers_are_refused(three):
    assert APIClient().get(URL).status_code == 401


def test_nobody_writes_through_the_list(three, owner):
    assert api(owner).post(URL, {}, format="json").status_code == 405
