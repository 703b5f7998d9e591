"""The navigation's global search: products by code and name, requirements by id and title, in constant queries."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.search import global_search
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


def test_an_english_kind_name_lists_the_latest_of_that_kind(pm):
    from tests.factories import make_risk

    risk = make_risk(ProductFactory(owner=pm), title="境外盗刷风险")
    hits = global_search(q="RISK")
    assert hits[0].url == "/risks/" and risk.get_absolute_url() in [h.url for h in hits]


def test_a_chinese_kind_name_lists_that_kind_too(pm):
    requirement = RequirementFactory(product=ProductFactory(owner=pm), title="夜间转账限额")
    assert requirement.get_absolute_url() in [h.url for h in global_search(q="需求")]


def test_change_finds_term_changes_by_their_kind(pm):
    from changes.models import Change

    product = ProductFactory(owner=pm)
    change = Change.objects.create(product=product, summary="上调额度", reason="competitor", created_by=pm)
    assert change.get_absolute_url() in [h.url for h in global_search(q="change")]


def test_risks_are_found_by_category_name_in_english(pm):
    from tests.factories import make_risk

    risk = make_risk(ProductFactory(owner=pm), title="违约", category="credit")
    make_risk(ProductFactory(owner=pm), title="挤兑", category="liquidity")
    assert [h.url for h in global_search(q="credit")] == [risk.get_absolute_url()]


def test_a_kind_name_costs_no_more_queries_than_a_plain_search(pm):
    with CaptureQueriesContext(connection) as plain:
        global_search(q="转账")
    with CaptureQueriesContext(connection) as kind:
        global_search(q="risk")
    assert len(kind) == len(plain)


def test_result_badge_never_shrinks_and_no_match_names_every_kind(client, pm):
    from tests.factories import make_risk

    make_risk(ProductFactory(owner=pm), title="条款变更引起的风险")
    client.force_login(pm)
    html = client.get("/search/?q=条款变更引起", HTTP_HX_REQUEST="true").content.decode()
    assert 'class="badge bg-secondary-lt flex-shrink-0 text-nowrap"' in html
    empty = client.get("/search/?q=zzzz", HTTP_HX_REQUEST="true").content.decode()
    assert "没有找到匹配的产品、需求、条款变更或风险。" in empty


def test_placeholder_names_everything_searched(client, pm):
    client.force_login(pm)
    assert 'placeholder="搜索产品、需求、条款变更、风险"' in client.get("/products/").content.decode()
