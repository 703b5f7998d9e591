import pytest
from django.core.management import call_command

from core.audit import audit_verify
from exits import selectors
from exits.models import ExitPlan
from products.models import Product

pytestmark = pytest.mark.django_db


def seed():
    call_command("seed_demo", stdout=open("/dev/null", "w"))


def test_demo_has_one_product_in_retirement_with_a_plan_half_done_and_is_idempotent(demo_data):
    plan = ExitPlan.objects.get(product__code="CC-006")
    counts = (plan.segments.count(), plan.tasks.count(), plan.segments.first().progress.count())
    seed()
    assert (plan.segments.count(), plan.tasks.count(), plan.segments.first().progress.count()) == counts
    assert Product.objects.get(code="CC-006").stage == "retirement"
    totals = selectors.totals(selectors.plan_segments(plan=plan))
    assert 0 < totals["remaining"] < totals["customers"]
    statuses = set(plan.tasks.values_list("status", flat=True))
    assert statuses == {"open", "done", "waived"}
    assert plan.successor.code == "CC-001"
    assert audit_verify() is None
