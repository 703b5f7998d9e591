"""Metric definitions: valid ranges and how a metric's kind decides its display."""
import pytest
from django.core.exceptions import ValidationError

from kpis.models import Metric

pytestmark = pytest.mark.django_db


def test_seeded_counts_are_integers_and_never_negative():
    complaints = Metric.objects.get(code="complaints")
    assert (complaints.value_kind, complaints.decimals, complaints.min_value) == ("count", 0, 0)


def test_seeded_rates_are_percentages_between_zero_and_one_hundred():
    rate = Metric.objects.get(code="default_rate")
    assert (rate.value_kind, rate.min_value, rate.max_value) == ("percent", 0, 100)


def test_a_range_whose_minimum_exceeds_its_maximum_is_refused():
    metric = Metric.objects.get(code="nps")
    metric.min_value, metric.max_value = 10, 5
    with pytest.raises(ValidationError) as error:
        metric.full_clean()
    assert "max_value" in error.value.message_dict
