"""The management command and the Celery tasks call the same service."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kpis import tasks
from kpis.models import Snapshot
from tests.factories import ProductFactory, observe

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    product = ProductFactory(code="DEP-C")
    observe(product, "revenue", "2026-09-05", 5)
    observe(product, "revenue", "2026-10-05", 10)
    return product


def test_command_computes_a_backfill_with_a_progress_bar(product):
    out = StringIO()
    call_command("compute_kpis", "--period", "2026-09", "--granularity", "month", "--through", "2026-10", stdout=out)
    assert "[##############################] 2/2" in out.getvalue()
    assert "2 period(s)" in out.getvalue()
    assert Snapshot.objects.filter(metric__code="revenue").count() == 2


def test_command_refuses_a_bad_period():
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("compute_kpis", "--period", "10/2026", stdout=StringIO())


def test_task_returns_the_counts(product):
    result = tasks.compute_kpi_snapshots.apply(args=["2026-10", "month"]).get()
    assert result == {"periods": 1, "snapshots": 1, "alerts_opened": 0, "alerts_resolved": 0}


def test_nightly_task_computes_previous_and_current_month_and_quarter(product, monkeypatch):
    from datetime import date

    monkeypatch.setattr(tasks.timezone, "localdate", lambda: date(2026, 10, 20))
    result = tasks.compute_recent_kpi_snapshots.apply().get()
    assert result["month"]["periods"] == 2 and result["quarter"]["periods"] == 2
    assert set(Snapshot.objects.values_list("period", flat=True)) == {"2026-09", "2026-10", "2026-Q3", "2026-Q4"}


def test_nightly_task_is_scheduled_by_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["kpis-nightly-snapshots"]
    assert entry["task"] == tasks.compute_recent_kpi_snapshots.name
