"""GET /api/v1/roadmap/: the same items as the page, window validation, and a constant query count."""
import datetime as dt

import pytest

from roadmap.models import RoadmapPlan
from tests.factories import ProductFactory
from tests.factories import walked_product as walked
from tests.helpers import api, queries

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def test_the_api_returns_each_product_with_its_items(owner, reviewers):
    product = walked(owner, reviewers, "development", ["2026-01-05", "2026-03-01"], code="API-1")
    RoadmapPlan.objects.create(product=product, kind="stage", stage="marketing", target_date=D("2026-09-01"),
                               set_by=owner)
    body = api(owner).get("/api/v1/roadmap/?from=2026-01-01&to=2026-12-31").json()
    (item,) = body["products"]
    assert (body["from"], body["to"]) == ("2026-01-01", "2026-12-31")
    assert [(s["stage"], s["start"]) for s in item["spans"]] == [("planning", "2026-01-05"),
                                                                 ("development", "2026-03-01")]
    assert item["gates"][0]["lead_days"] == 2.0
    assert (item["plans"][0]["target"], item["plans"][0]["actual"]) == ("2026-09-01", None)


def test_the_api_returns_open_conditions_at_their_due_date(owner, conditioned):
    conditioned(D("2026-03-15"), code="API-C")
    body = api(owner).get("/api/v1/roadmap/?from=2026-01-01&to=2026-12-31").json()
    (item,) = body["products"]
    (condition,) = item["conditions"]
    assert (condition["action"], condition["due"], condition["owner"]) == ("补充压力测试报告", "2026-03-15", "owner_pm")
    assert isinstance(condition["overdue"], bool) and isinstance(condition["review"], int)


def test_the_api_filters_by_category_owner_and_stage(owner):
    ProductFactory(owner=owner, code="F-1", category="loan", stage="operation")
    ProductFactory(owner=owner, code="F-2", category="loan")
    ProductFactory(code="F-3", category="loan", stage="operation")
    body = api(owner).get(f"/api/v1/roadmap/?category=loan&stage=operation&owner={owner.pk}").json()
    assert [p["code"] for p in body["products"]] == ["F-1"]


@pytest.mark.parametrize(("query", "field"), [("from=2026-13-01", "from"), ("from=2026-06-01&to=2026-01-01", "to"),
                                              ("from=2020-01-01&to=2026-01-01", "to"), ("category=bond", "category"),
                                              ("from=9999-12-01", "from"), ("to=", "to"), ("stage=", "stage")])
def test_a_bad_window_or_filter_is_a_400_naming_the_parameter(owner, query, field):
    response = api(owner).get(f"/api/v1/roadmap/?{query}")
    assert response.status_code == 400 and list(response.json()) == [field]


def test_the_query_count_does_not_grow_with_products(owner, conditioned):
    client = api(owner)
    url = "/api/v1/roadmap/?from=2026-01-01&to=2026-12-31"
    ProductFactory(owner=owner)
    conditioned(D("2026-06-01"))
    few = queries(client, url)
    for i in range(20):
        ProductFactory(owner=owner) if i % 4 else conditioned(D("2026-06-01") + dt.timedelta(days=i))
    assert queries(client, url) == few
    assert sum(len(p["conditions"]) for p in client.get(url).json()["products"]) == 6
