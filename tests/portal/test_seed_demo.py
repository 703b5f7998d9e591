import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from products.models import Product


def snapshot():
    products = list(Product.objects.order_by("code").values_list("code", "stage", "owner__username", "updated_at"))
    users = list(User.objects.order_by("username").values_list("username", "password", "role"))
    return products, users


@pytest.fixture
def seeded(demo_data):
    """seed_demo's rows (seeded once per session, tests/demo_snapshot.py)."""


def test_seed_creates_the_demo_accounts_with_the_demo_password(seeded):
    expected = {"pm1", "pm2", "risk1", "compliance1", "finance1", "legal1", "tech1", "exec1", "head1", "admin",
                "risk2", "compliance2"}
    assert expected <= set(User.objects.values_list("username", flat=True))
    assert User.objects.get(username="risk1").department_codes == {"risk"}
    assert User.objects.get(username="admin").is_superuser
    assert all(u.check_password("bankpm-demo") for u in User.objects.filter(username__in=expected))


def test_seed_creates_about_thirty_products_across_every_category_stage_and_both_managers(seeded):
    assert 25 <= Product.objects.count() <= 40
    assert set(Product.objects.values_list("category", flat=True)) >= {"deposit", "loan", "credit_card", "wealth",
                                                                       "payment"}
    assert set(Product.objects.values_list("stage", flat=True)) == {
        "planning", "development", "marketing", "operation", "retirement", "retired", "cancelled"}
    assert set(Product.objects.values_list("owner__username", flat=True)) == {"pm1", "pm2"}


def test_second_seed_run_changes_nothing(seeded):
    before = snapshot()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert snapshot() == before


def test_seed_refuses_to_run_in_production_mode(db, settings):
    settings.BANKPM_PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert not Product.objects.exists()


def test_every_demo_notification_reads_in_its_recipients_language(seeded):
    from notifications.models import Notification

    assert Notification.objects.exists()
    assert not Notification.objects.filter(title_code="").exists()
