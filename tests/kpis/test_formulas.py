"""Derived-metric formulas: grammar, references and the SQL they compile to."""
import pytest
from django.core.exceptions import ValidationError

from kpis.formulas import FormulaError, derived_sql, parse_formula
from tests.factories import MetricFactory

METRICS = [(1, "revenue", "sum", ""), (2, "cost", "sum", ""), (3, "profit", "derived", "revenue - cost"),
           (4, "margin", "derived", "profit * 100 / revenue")]


def compiled(metrics=METRICS):
    return {d.metric_id: d for d in derived_sql(metrics)}


def test_division_compiles_to_a_null_when_the_divisor_is_zero():
    assert compiled()[4].expression == "(((v1 - v2) * 100.0) / NULLIF(v1, 0))"


def test_a_derived_reference_is_inlined_down_to_base_metrics():
    assert compiled()[4].base_ids == (1, 2)


@pytest.mark.parametrize("formula", ["__import__('os')", "revenue ** 2", "revenue if cost else 1", "'text'",
                                     "revenue.real", "True + revenue", "revenue -"])
def test_anything_but_arithmetic_over_codes_is_refused(formula):
    with pytest.raises(FormulaError):
        parse_formula(formula)


def test_a_cycle_leaves_the_metrics_without_snapshots_rather_than_failing():
    metrics = [(1, "revenue", "sum", ""), (5, "a", "derived", "b + revenue"), (6, "b", "derived", "a * 2")]
    assert compiled(metrics) == {}


def test_a_formula_naming_an_unknown_metric_compiles_to_nothing():
    assert compiled([(1, "revenue", "sum", ""), (5, "a", "derived", "revenue / ghost")]) == {}


@pytest.mark.django_db
def test_admin_validation_refuses_an_unknown_code():
    metric = MetricFactory.build(code="ratio_x", aggregation="derived", formula="revenue / ghost", family="growth")
    with pytest.raises(ValidationError) as error:
        metric.full_clean()
    assert "formula" in error.value.message_dict


@pytest.mark.django_db
def test_admin_validation_refuses_a_cycle_through_another_metric():
    MetricFactory(code="ratio_a", aggregation="derived", formula="revenue / cost")
    metric = MetricFactory.build(code="ratio_b", aggregation="derived", formula="ratio_a + ratio_b2", family="growth")
    MetricFactory(code="ratio_b2", aggregation="derived", formula="ratio_b * 2")
    with pytest.raises(ValidationError) as error:
        metric.full_clean()
    assert "formula" in error.value.message_dict


@pytest.mark.django_db
def test_a_derived_metric_needs_a_formula_and_a_base_metric_none():
    with pytest.raises(ValidationError) as error:
        MetricFactory.build(code="ratio_c", aggregation="derived", formula="", family="growth").full_clean()
    assert "formula" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        MetricFactory.build(code="ratio_d", aggregation="sum", formula="revenue", family="growth").full_clean()
    assert "formula" in error.value.message_dict
