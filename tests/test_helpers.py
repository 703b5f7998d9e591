"""The shared test helpers prove what they claim: a "nothing written" check sees any written row."""
import pytest

from products.models import Product
from tests.factories import ProductFactory
from tests.helpers import assert_nothing_written, written_tables

pytestmark = pytest.mark.django_db


def test_every_table_of_the_project_and_the_users_is_watched():
    labels = {model._meta.label for model in written_tables()}
    assert {"core.AuditEntry", "products.Product", "accounts.User", "requirements.HistoricalRequirement",
            "authtoken.Token", "sessions.Session"} <= labels


def test_a_changed_value_fails_the_check_and_names_its_table():
    product = ProductFactory()
    with pytest.raises(AssertionError, match=r"products\.Product"), assert_nothing_written():
        Product.objects.filter(pk=product.pk).update(name="改名")


def test_a_read_passes_the_check():
    ProductFactory()
    with assert_nothing_written():
        list(Product.objects.all())

