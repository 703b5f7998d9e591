"""KPI pages and endpoints answer in a number of queries that does not depend on how much data they show."""
import pytest

from kpis import services
from tests.factories import MetricFactory, ProductFactory, UserFactory, observe, target
from tests.helpers import api, assert_constant_queries, login

pytestmark = pytest.mark.django_db


def months_of_figures(product, months):
    """Revenue, cost and a red default rate for each month; snapshots computed."""
    for month in months:
        day = f"2026-{month:02d}-05"
        observe(product, "revenue", day, 100 + month)
        observe(product, "cost", day, 40)
        observe(product, "default_rate", day, 2.5)
        target(product, "default_rate", f"2026-{month:02d}-01", 1.5, 1.8, 2.0)
    services.kpi_snapshots_compute(period=f"2026-{months[0]:02d}", granularity="month",
                                   through=f"2026-{months[-1]:02d}")


@pytest.fixture
def product(pm):
    product = ProductFactory(code="LN-Q", owner=pm, category="loan", stage="operation")
    months_of_figures(product, [1, 2])
    return product


@pytest.mark.parametrize("export", ["", "?export=csv", "?export=xlsx"])
def test_product_kpi_page_and_its_exports_do_not_grow_with_periods(client, pm, product, export):
    assert_constant_queries(login(client, pm), f"/kpis/products/{product.pk}/{export}",
                            lambda: months_of_figures(product, list(range(3, 12))))


def test_scorecard_page_does_not_grow_with_managers(client, head):
    def managers(start, n):
        for i in range(start, start + n):
            product = ProductFactory(code=f"SCP-{i}", owner=UserFactory(username=f"pm_scp{i}"))
            observe(product, "revenue", "2026-10-05", 90 + i)
            target(product, "revenue", "2026-10-01", 100, 90, 80, granularity="quarter")
        services.kpi_snapshots_compute(period="2026-Q4", granularity="quarter")

    managers(0, 2)
    assert_constant_queries(login(client, head), "/kpis/scorecards/?quarter=2026-Q4", lambda: managers(2, 10))


def test_metrics_endpoint_does_not_grow_with_metrics(pm):
    assert_constant_queries(api(pm), "/api/v1/metrics/",
                            lambda: [MetricFactory(code=f"extra_{i}") for i in range(15)])
