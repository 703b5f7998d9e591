"""Innovation figures come from the backlog: delivered requirements per product and day."""
import datetime as dt
from zoneinfo import ZoneInfo

from kpis.models import Observation, Snapshot
from kpis.services import kpi_snapshots_compute
from kpis.sources import sync_backlog_observations
from tests.factories import ProductFactory, RequirementFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def delivered(product, day, hour=10):
    return RequirementFactory(
        product=product, status="delivered", delivered_at=dt.datetime(2026, 10, day, hour, tzinfo=SHANGHAI)
    )


def test_delivered_requirements_become_daily_observations(pm):
    product = ProductFactory(owner=pm)
    delivered(product, 3)
    delivered(product, 3, hour=23)
    delivered(product, 20)
    RequirementFactory(product=product, status="in_development")
    sync_backlog_observations(start=dt.date(2026, 10, 1), end=dt.date(2026, 11, 1))
    rows = Observation.objects.filter(product=product, metric__code="requirements_delivered").order_by("date")
    assert [(o.date.day, o.value, o.source) for o in rows] == [(3, 2.0, "backlog"), (20, 1.0, "backlog")]


def test_month_snapshot_counts_the_requirements_delivered_that_month(pm):
    product = ProductFactory(owner=pm, stage="operation")
    delivered(product, 3)
    delivered(product, 31, hour=23)  # still October in Beijing time
    kpi_snapshots_compute(period="2026-10", granularity="month")
    snapshot = Snapshot.objects.get(product=product, metric__code="requirements_delivered", period="2026-10")
    assert snapshot.value == 2.0


def test_a_reopened_delivery_drops_the_days_count_to_zero(pm):
    product = ProductFactory(owner=pm)
    requirement = delivered(product, 5)
    sync_backlog_observations(start=dt.date(2026, 10, 1), end=dt.date(2026, 11, 1))
    type(requirement).objects.filter(pk=requirement.pk).update(status="in_development", delivered_at=None)
    sync_backlog_observations(start=dt.date(2026, 10, 1), end=dt.date(2026, 11, 1))
    assert Observation.objects.get(product=product, metric__code="requirements_delivered").value == 0.0
