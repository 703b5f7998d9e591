"""Small builders for KPI tests: observations and targets by metric code."""
from datetime import date

from kpis.models import Metric, Observation, Target


def metric(code):
    return Metric.objects.get(code=code)


def observe(product, code, day: str, value: float):
    return Observation.objects.create(product=product, metric=metric(code), date=date.fromisoformat(day), value=value)


def target(product, code, period_start: str, value, warning, critical, granularity="month"):
    return Target.objects.create(product=product, metric=metric(code), granularity=granularity,
                                 period_start=date.fromisoformat(period_start), target_value=value,
                                 warning_threshold=warning, critical_threshold=critical)
