"""Annual target plans: spread to months or quarters, per product or category, audited, all or nothing."""
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEntry
from kpis import services
from kpis.models import Metric, Target
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def plan(products, code="revenue", **overrides):
    values = {"products": products, "metric": Metric.objects.get(code=code), "year": 2027, "annual_value": 1200.0,
              "granularity": "month", "warning_pct": 95.0, "critical_pct": 85.0}
    return services.TargetPlan(**{**values, **overrides})


def test_a_summed_metric_is_divided_between_the_months(head):
    product = ProductFactory()
    assert services.target_plan_apply(user=head, plan=plan([product])) == 12
    months = list(Target.objects.filter(product=product).order_by("period_start"))
    assert [t.period_start for t in months] == [date(2027, m, 1) for m in range(1, 13)]
    assert {(t.target_value, t.warning_threshold, t.critical_threshold) for t in months} == {(100.0, 95.0, 85.0)}


def test_a_level_metric_keeps_its_value_in_each_quarter(head):
    product = ProductFactory()
    services.target_plan_apply(user=head, plan=plan([product], code="csat", annual_value=88.0, granularity="quarter"))
    quarters = Target.objects.filter(product=product, granularity="quarter")
    assert sorted(t.period_start.month for t in quarters) == [1, 4, 7, 10]
    assert {t.target_value for t in quarters} == {88.0}


def test_a_lower_is_better_metric_needs_its_critical_threshold_above_its_warning(head):
    product = ProductFactory()
    with pytest.raises(ValidationError) as refused:
        services.target_plan_apply(user=head, plan=plan([product], code="complaints", warning_pct=95.0,
                                                        critical_pct=85.0))
    assert "critical_pct" in refused.value.message_dict
    services.target_plan_apply(user=head, plan=plan([product], code="complaints", warning_pct=110.0,
                                                    critical_pct=120.0))
    assert Target.objects.filter(product=product).count() == 12


def test_applying_again_replaces_the_periods_and_audits_only_what_changed(head):
    product = ProductFactory()
    services.target_plan_apply(user=head, plan=plan([product]))
    services.target_plan_apply(user=head, plan=plan([product], annual_value=2400.0))
    assert set(Target.objects.filter(product=product).values_list("target_value", flat=True)) == {200.0}
    entries = AuditEntry.objects.filter(action="kpi_target_planned", product=product).order_by("id")
    assert entries.count() == 2
    assert entries.last().changes[0] == {"field": "2027-01-01", "old": "100 / 95 / 85", "new": "200 / 190 / 170"}
    services.target_plan_apply(user=head, plan=plan([product], annual_value=2400.0))
    assert entries.count() == 2


def test_a_product_manager_may_not_set_targets_and_nothing_changes(pm):
    product = ProductFactory(owner=pm)
    with pytest.raises(PermissionDenied):
        services.target_plan_apply(user=pm, plan=plan([product]))
    assert not Target.objects.filter(product=product).exists()


def test_import_applies_every_row_of_a_category_and_a_product(head):
    card = ProductFactory(category="credit_card", code="CC-900")
    deposits = [ProductFactory(category="deposit", code=f"DP-90{i}") for i in range(2)]
    ProductFactory(category="deposit", code="DP-999", stage="retired")
    rows = [{"product": "CC-900", "category": "", "metric": "revenue", "year": "2027", "annual_target": "1200",
             "granularity": "month", "warning_pct": "95", "critical_pct": "85"},
            {"product": "", "category": "deposit", "metric": "csat", "year": "2027", "annual_target": "90",
             "granularity": "quarter", "warning_pct": "97", "critical_pct": "92"}]
    assert services.target_plans_import(user=head, rows=rows, dry_run=True) == 20
    assert not Target.objects.filter(period_start__year=2027).exists()
    assert services.target_plans_import(user=head, rows=rows) == 20
    assert Target.objects.filter(product=card).count() == 12
    assert all(Target.objects.filter(product=p, granularity="quarter").count() == 4 for p in deposits)
    assert not Target.objects.filter(product__code="DP-999").exists()


def test_import_with_one_bad_row_names_it_and_writes_nothing(head):
    ProductFactory(code="CC-901")
    rows = [{"product": "CC-901", "category": "", "metric": "revenue", "year": "2027", "annual_target": "1200",
             "granularity": "month", "warning_pct": "95", "critical_pct": "85"},
            {"product": "NOPE", "category": "", "metric": "revenue", "year": "2027", "annual_target": "x",
             "granularity": "month", "warning_pct": "95", "critical_pct": "85"}]
    with pytest.raises(services.BulkValidationError) as refused:
        services.target_plans_import(user=head, rows=rows)
    assert refused.value.item_errors[0]["index"] == 1
    assert set(refused.value.item_errors[0]["errors"]) == {"product", "annual_target"}
    assert not Target.objects.filter(period_start__year=2027).exists()
