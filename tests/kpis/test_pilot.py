"""Pilot criteria actuals over the pilot's own regions, segments and channels (kpis.pilot)."""
import datetime as dt

import pytest

from kpis.models import DimensionObservation
from kpis.pilot import pilot_actuals
from tests.factories import ProductFactory, metric, observe, region

pytestmark = pytest.mark.django_db
START, END = dt.date(2026, 10, 1), dt.date(2026, 10, 31)


@pytest.fixture
def product(db):
    region("sh", "上海", "Shanghai")
    region("bj", "北京", "Beijing")
    return ProductFactory(code="CC-P")


def dim(product, code, day, value, **dims):
    DimensionObservation.objects.create(product=product, metric=metric(code), date=dt.date(2026, 10, day),
                                        value=value, **dims)


def actuals(product, codes, regions=("上海",), segments=(), channels=()):
    ids = [metric(c).pk for c in codes]
    result = pilot_actuals(product_id=product.pk, start=START, end=END, regions=list(regions),
                           segments=list(segments), channels=list(channels), metric_ids=ids)
    return [result[i] for i in ids]


def test_the_actual_counts_only_the_rows_inside_the_pilot_scope(product):
    dim(product, "complaints", 3, 12, region="sh", segment="youth")
    dim(product, "complaints", 3, 100, region="bj", segment="youth")
    dim(product, "complaints", 4, 8, region="sh", segment="senior")
    [actual] = actuals(product, ["complaints"], segments=["youth"])
    assert (actual.value, actual.reason) == (12, "")


def test_the_whole_products_total_is_never_the_pilots_actual(product):
    observe(product, "complaints", "2026-10-05", 148)
    [actual] = actuals(product, ["complaints"])
    assert actual.value is None
    assert actual.reason == "试点范围内（所选地区、客群、渠道）尚无分维度数据。"


def test_an_average_metric_averages_the_scopes_days(product):
    dim(product, "csat", 3, 80, region="sh", channel="branch")
    dim(product, "csat", 3, 90, region="sh", channel="mobile_banking")
    dim(product, "csat", 4, 70, region="sh", channel="branch")
    [actual] = actuals(product, ["csat"])
    assert actual.value == 77.5  # (85 + 70) / 2


def test_a_derived_metric_applies_its_formula_to_the_scopes_figures(product):
    dim(product, "revenue", 3, 200, region="sh")
    dim(product, "cost", 3, 150, region="sh")
    dim(product, "revenue", 3, 999, region="bj")
    [margin] = actuals(product, ["margin"])
    assert margin.value == 25.0


def test_a_pilot_region_that_is_no_known_region_has_no_actual(product):
    dim(product, "complaints", 3, 12, region="sh")
    [actual] = actuals(product, ["complaints"], regions=["深圳"])
    assert actual.value is None and actual.reason


def test_a_pilot_without_any_scope_has_no_actual(product):
    dim(product, "complaints", 3, 12, region="sh")
    [actual] = actuals(product, ["complaints"], regions=[])
    assert actual.value is None and actual.reason
