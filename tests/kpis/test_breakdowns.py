"""Breakdowns by segment, channel and region on the product KPI page, the dashboard and the exports."""
import pytest

from kpis import services
from tests.factories import ProductFactory, region
from tests.helpers import assert_constant_queries, login

pytestmark = pytest.mark.django_db
SEGMENTS = ["mass_market", "affluent", "youth", "senior", "private_banking"]


def send(user, product, members, day="2026-10-05"):
    items = [{"product": product.code, "metric": "new_customers", "date": day, "value": 10 + i, "region": code}
             for i, code in enumerate(members)]
    items += [{"product": product.code, "metric": "revenue", "date": day, "value": 5, "segment": s}
              for s in SEGMENTS[:len(members)]]
    services.observations_ingest(user=user, items=items)
    services.kpi_snapshots_compute(period="2026-10", granularity="month")


@pytest.fixture
def product(pm):
    for i in range(6):
        region(f"r{i}", f"地区{i}", f"Region {i}")
    return ProductFactory(code="CC-B", owner=pm, stage="operation")


def test_the_product_page_shows_a_breakdown_table_with_region_names(client, pm, product):
    send(pm, product, ["r0", "r1"])
    page = login(client, pm).get(f"/kpis/products/{product.pk}/?dimension=region").content.decode()
    assert 'id="breakdown-table"' in page and "地区0" in page and "地区1" in page
    assert 'id="breakdown-data"' in page


def test_the_product_page_breakdown_does_not_grow_with_dimension_values(client, pm, product):
    send(pm, product, ["r0"])
    assert_constant_queries(login(client, pm), f"/kpis/products/{product.pk}/?dimension=region",
                            lambda: send(pm, product, ["r0", "r1", "r2", "r3", "r4"]))


def test_the_dashboard_breakdown_does_not_grow_with_dimension_values(client, head, pm, product):
    send(pm, product, ["r0"])
    assert_constant_queries(login(client, head), "/kpis/?dimension=segment",
                            lambda: send(pm, product, ["r0", "r1", "r2", "r3", "r4"]))


def test_the_dashboard_adds_the_products_up_per_dimension_value(client, head, pm, product):
    other = ProductFactory(code="CC-B2", owner=pm, stage="operation")
    send(pm, product, ["r0"])
    send(pm, other, ["r0"])
    page = login(client, head).get("/kpis/?dimension=region").content.decode()
    row = page.split('data-member="r0"')[1].split("</tr>")[0]
    assert ">20<" in row


def test_the_breakdown_exports_as_csv_with_one_row_per_metric_and_value(client, pm, product):
    send(pm, product, ["r0", "r1"])
    response = login(client, pm).get(f"/kpis/products/{product.pk}/?dimension=region&export=csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[1:] == ["new_customers,2026-10,region,r0,10,,", "new_customers,2026-10,region,r1,11,,"]


def test_a_product_without_dimensioned_figures_says_so(client, pm, product):
    page = login(client, pm).get(f"/kpis/products/{product.pk}/").content.decode()
    assert 'id="breakdown-table"' not in page
