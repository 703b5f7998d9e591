"""The KPI demo agrees with the rest of the demo: a product being withdrawn has no more customers than its exit plan
counts, less those it reports migrated or closed."""
import pytest

from exits import selectors as exit_selectors
from exits.models import ExitPlan
from kpis.models import Observation, Snapshot

pytestmark = pytest.mark.django_db


def _left_on(plan, day) -> int:
    left = 0
    for segment in plan.segments.all():
        last = segment.progress.filter(date__lte=day).order_by("-date").first()
        left += segment.customers - (last.migrated + last.closed if last else 0)
    return left


def test_withdrawn_products_active_customers_never_exceed_the_customers_left_in_their_exit_plan(demo_data):
    plans = list(ExitPlan.objects.filter(notice_date__isnull=False, product__kpi_observations__isnull=False)
                 .distinct())
    assert plans, "the demo has products with an exit plan and KPI figures"
    for plan in plans:
        rows = Observation.objects.filter(product=plan.product, metric__code="active_customers",
                                          date__gte=plan.notice_date).order_by("date")
        assert rows.exists()
        for row in rows:
            assert row.value <= _left_on(plan, row.date), (plan.product.code, row.date, row.value)


def test_withdrawn_products_win_no_new_customers_after_their_notice_date(demo_data):
    for plan in ExitPlan.objects.filter(notice_date__isnull=False):
        after = Observation.objects.filter(product=plan.product, metric__code="new_customers",
                                           date__gte=plan.notice_date)
        assert not after.exclude(value=0).exists(), plan.product.code


def test_latest_monthly_active_customers_of_the_half_migrated_card_match_its_plan(demo_data):
    plan = ExitPlan.objects.get(product__code="CC-006")
    latest = (Snapshot.objects.filter(product=plan.product, metric__code="active_customers", granularity="month")
              .order_by("-period_start").first())
    totals = exit_selectors.totals(exit_selectors.plan_segments(plan=plan))
    assert latest.value <= totals["customers"]
    assert latest.value >= totals["remaining"]
