"""The cadence as policy data: months by risk rating, category overrides, sooner after remediate, from the launch
or the last decided review; the policy admin saves through an audited service."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import AuditEntry
from kpis import services as kpi_services
from reviews import services
from reviews.models import CadencePolicy, ProductReview
from tests.factories import ProductFactory, observe

from .conftest import operating

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("rating", "months"), [("R1", 24), ("R2", 24), ("R3", 12), ("R4", 6), ("R5", 6)])
def test_the_seeded_cadence_follows_the_risk_rating(rating, months):
    assert services.cadence_for(risk_rating=rating, category="deposit").months == months


def test_a_category_row_overrides_the_rating_row(owner):
    CadencePolicy.objects.create(risk_rating="R3", category="loan", months=9, remediate_months=4)
    assert services.cadence_for(risk_rating="R3", category="loan").months == 9
    assert services.cadence_for(risk_rating="R3", category="credit_card").months == 12


def test_the_next_due_date_counts_from_the_launch_without_a_decided_review(owner):
    product = operating(owner, rating="R4", launched_days_ago=10)
    launched = timezone.localdate() - dt.timedelta(days=10)
    assert services.next_review_due(product=product) == services.add_months(launched, 6)


def test_the_next_due_date_counts_from_the_last_decided_review_and_remediate_comes_sooner(owner):
    product = operating(owner, rating="R3")
    decided = timezone.now() - dt.timedelta(days=5)
    ProductReview.objects.create(product=product, trigger="scheduled", due_date=timezone.localdate(),
                                 period_start=timezone.localdate(), opened_at=decided, status="decided",
                                 outcome="keep", decided_at=decided)
    assert services.next_review_due(product=product) == services.add_months(timezone.localdate(decided), 12)
    ProductReview.objects.filter(product=product).update(outcome="remediate")
    assert services.next_review_due(product=product) == services.add_months(timezone.localdate(decided), 6)


def test_a_policy_edit_applies_to_the_next_due_date_at_once(owner):
    product = operating(owner, rating="R3", launched_days_ago=0)
    CadencePolicy.objects.filter(risk_rating="R3", category="").update(months=3, remediate_months=2)
    assert services.next_review_due(product=product) == services.add_months(timezone.localdate(), 3)


def test_only_products_in_operation_have_a_next_due_date(owner):
    planned = ProductFactory(owner=owner, stage="planning")
    assert services.next_review_due(product=planned) is None


def test_months_are_added_to_the_last_day_of_a_shorter_month():
    assert services.add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)


def test_the_policy_is_saved_through_an_audited_service(admin_user):
    row = CadencePolicy.objects.get(risk_rating="R5", category="")
    row.months = 4
    services.cadence_policy_save(user=admin_user, obj=row)
    entry = AuditEntry.objects.get(action="review_cadence_changed")
    assert (entry.actor, entry.object_id) == (admin_user, str(row.pk))


def test_remediate_may_not_come_later_than_the_ordinary_cadence(admin_user):
    row = CadencePolicy(risk_rating="R3", category="loan", months=6, remediate_months=9)
    with pytest.raises(ValidationError):
        services.cadence_policy_save(user=admin_user, obj=row)
    assert not CadencePolicy.objects.filter(category="loan").exists()


def test_without_a_launch_gate_the_first_month_with_figures_stands_for_the_launch(owner):
    product = operating(owner, rating="R3", launched_days_ago=0)
    observe(product, "csat", "2025-03-10", 80)
    kpi_services.kpi_snapshots_compute(period="2025-03", granularity="month")
    assert services.launch_dates([product.pk])[product.pk] == dt.date(2025, 3, 1)
