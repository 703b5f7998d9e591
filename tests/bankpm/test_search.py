"""The navigation's global search: products by code and name, requirements by id and title, in constant queries."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bankpm.search import global_search
from tests.factories import ProductFactory, RequirementFactory

pytestmark = pytest.mark.django_db


def test_products_are_found_by_code_and_by_name(pm):
    product = ProductFactory(code="CC-777", name="留学卡", name_en="Study card", owner=pm)
    assert [h.url for h in global_search(q="cc-777")] == [product.get_absolute_url()]
    assert [h.url for h in global_search(q="留学")] == [product.get_absolute_url()]


def test_requirements_are_found_by_id_and_by_title(pm):
    requirement = RequirementFactory(product=ProductFactory(owner=pm, name="存款", name_en="Deposit"),
                                     title="夜间转账限额")
    assert global_search(q=f"#{requirement.pk}")[-1].url == requirement.get_absolute_url()
    assert [h.label for h in global_search(q="转账")] == [f"#{requirement.pk} 夜间转账限额"]


def test_an_empty_or_overlong_query_finds_nothing(pm):
    ProductFactory(owner=pm)
    assert global_search(q="  ") == [] and global_search(q="x" * 101) == []


def test_search_costs_the_same_queries_whatever_the_number_of_hits(pm):
    RequirementFactory(product=ProductFactory(owner=pm, name="甲"), title="转账一")
    with CaptureQueriesContext(connection) as few:
        global_search(q="转账")
    for i in range(6):
        RequirementFactory(product=ProductFactory(owner=pm, name=f"乙{i}"), title=f"转账{i}")
    with CaptureQueriesContext(connection) as many:
        assert len(global_search(q="转账")) == 7
    assert len(many) == len(few)


def test_the_search_page_needs_a_login(client):
    assert client.get("/search/?q=x").status_code == 302


def test_htmx_gets_the_result_list_alone(client, pm):
    ProductFactory(code="DEP-9", owner=pm)
    client.force_login(pm)
    html = client.get("/search/?q=DEP-9", HTTP_HX_REQUEST="true").content.decode()
    assert html.startswith('<ul class="list-group') and "DEP-9" in html


def test_risks_are_found_by_title(pm):
    from tests.factories import make_risk

    risk = make_risk(ProductFactory(owner=pm), title="境外盗刷风险")
    assert [h.url for h in global_search(q="盗刷")] == [risk.get_absolute_url()]
