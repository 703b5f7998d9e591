import pytest
from django.core.management import call_command

from changes.models import Change, TermsVersion
from products.models import Product

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(demo_data):
    """seed_demo's rows (seeded once per session, tests/demo_snapshot.py)."""


def test_demo_has_an_approved_change_in_pilot_with_criteria(seeded):
    change = Change.objects.get(product__code="CC-001")
    assert change.status == "piloting"
    assert change.review.status == "approved"
    assert sorted(change.criteria.values_list("metric__code", flat=True)) == ["complaints", "csat"]


def test_demo_gives_every_launched_product_version_1(seeded):
    launched = Product.objects.filter(stage__in=["marketing", "operation", "retirement", "retired"])
    assert TermsVersion.objects.filter(version=1).count() == launched.count()


def test_second_demo_run_adds_no_change_or_version(seeded):
    before = (Change.objects.count(), TermsVersion.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert (Change.objects.count(), TermsVersion.objects.count()) == before
