import datetime as dt

import pytest

from tests.factories import ProductFactory

TODAY = dt.date.today()


@pytest.fixture
def product(pm):
    return ProductFactory(code="CC-C", owner=pm, stage="operation")


def item(**overrides):
    return {"product": "CC-C", "received_on": (TODAY - dt.timedelta(days=2)).isoformat(), "category": "fees",
            "severity": "high", "description": "年费被重复扣收", **overrides}
