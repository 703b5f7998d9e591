"""GET /api/v1/audit/: who reads which entries, and the filters shared with the audit page."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.audit import audit_record
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/audit/"


@pytest.fixture
def entries(pm, other_pm):
    mine, theirs = ProductFactory(code="MINE-1", owner=pm), ProductFactory(code="THEIRS-1", owner=other_pm)
    audit_record(action="product_updated", actor=pm, product=mine, obj=mine)
    audit_record(action="product_updated", actor=other_pm, product=theirs, obj=theirs)
    audit_record(action="policy_changed", actor=None)
    return mine, theirs


def get(user, **params):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(URL, params)


def codes(response):
    return sorted(str(row["product"]) for row in response.json()["results"])


@pytest.mark.parametrize("role, departments", [("reviewer", ["compliance"]), ("reviewer", ["risk"]),
                                               ("senior_management", ["senior_management"]),
                                               ("administrator", []), ("head_of_product", [])])
def test_control_functions_read_every_entry(entries, role, departments):
    user = UserFactory(role=role, departments=departments)
    assert get(user).json()["count"] == 3


def test_a_product_manager_reads_only_their_own_products_entries(entries, pm):
    mine, _ = entries
    assert codes(get(pm)) == [str(mine.pk)]


def test_a_finance_reviewer_may_not_read_the_trail(entries):
    assert get(UserFactory(role="reviewer", departments=["finance"])).status_code == 403


def test_anonymous_clients_are_refused(entries):
    response = APIClient().get(URL)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"


def test_product_filter_takes_a_code_or_an_id(entries, admin_user):
    mine, _ = entries
    assert codes(get(admin_user, product="MINE-1")) == [str(mine.pk)]
    assert codes(get(admin_user, product=str(mine.pk))) == [str(mine.pk)]


def test_action_object_type_and_actor_filters(entries, admin_user, other_pm):
    assert get(admin_user, action="policy_changed").json()["count"] == 1
    assert get(admin_user, object_type="product").json()["count"] == 2
    assert get(admin_user, actor=other_pm.username).json()["count"] == 1


def test_since_and_until_bound_the_dates(entries, admin_user):
    assert get(admin_user, since="2999-01-01").json()["count"] == 0
    assert get(admin_user, until="2999-01-01").json()["count"] == 3


def test_an_unknown_action_is_a_400(entries, admin_user):
    response = get(admin_user, action="nope")
    assert response.status_code == 400 and "action" in response.json()


def test_the_list_costs_the_same_queries_for_more_entries(entries, admin_user):
    with CaptureQueriesContext(connection) as few:
        get(admin_user)
    product = ProductFactory()
    for _ in range(10):
        audit_record(action="product_updated", actor=UserFactory(), product=product, obj=product)
    with CaptureQueriesContext(connection) as many:
        assert get(admin_user).json()["count"] == 13
    assert len(many) == len(few)
