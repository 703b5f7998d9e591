"""The product KPI charts' axes start at a sensible baseline, so that noise in a narrow range does not look dramatic."""
import pytest

from kpis.charts import axis_min
from tests.factories import metric

pytestmark = pytest.mark.django_db


def test_a_narrow_positive_range_is_drawn_from_zero():
    assert axis_min(metric=metric("nps"), figures=[31.4, 32.8, None, 32.0]) == 0


def test_a_count_is_drawn_from_zero():
    assert axis_min(metric=metric("active_customers"), figures=[48000, 48200]) == 0


def test_negative_figures_start_at_the_metrics_natural_lower_bound():
    nps = metric("nps")
    assert axis_min(metric=nps, figures=[-5.0, 3.0]) == nps.min_value


def test_a_chart_without_figures_starts_at_zero():
    assert axis_min(metric=metric("csat"), figures=[None, None]) == 0
