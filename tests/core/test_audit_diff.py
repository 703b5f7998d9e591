"""Field diffs in the audit chain: recorded, hashed, and verified like the rest of an entry."""
from decimal import Decimal

import pytest
from django.db import connection

from core.audit import audit_record, audit_verify, diff, field_values
from core.models import AuditEntry
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_diff_lists_only_the_fields_that_changed():
    before = {"fee": Decimal("1.50"), "risk_rating": "R2", "name": "A"}
    after = {"fee": Decimal("1.5"), "risk_rating": "R3", "name": "A"}
    assert diff(before, after) == [{"field": "risk_rating", "old": "R2", "new": "R3"}]


def test_field_values_read_foreign_keys_by_id_and_many_to_many_as_sorted_ids():
    product = ProductFactory()
    values = field_values(product, ["owner", "sales_channels", "interest_rate"])
    assert values["owner"] == product.owner_id
    assert values["sales_channels"] == sorted(product.sales_channels.values_list("pk", flat=True))


def test_an_entrys_changes_survive_the_database_round_trip_and_verify():
    product = ProductFactory()
    audit_record(action="product_updated", product=product, obj=product,
                 changes=[{"field": "fee", "old": "1.5", "new": "2"}, {"field": "channels", "old": [1], "new": [1, 2]}])
    entry = AuditEntry.objects.get(action="product_updated")
    assert entry.changes[1] == {"field": "channels", "old": [1], "new": [1, 2]}
    assert audit_verify() is None


def test_a_changed_diff_breaks_the_chain():
    product = ProductFactory()
    entry = audit_record(action="product_updated", product=product, obj=product,
                         changes=[{"field": "fee", "old": "1.5", "new": "2"}])
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks before the ALTER
        cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only")
        cursor.execute("""UPDATE core_auditentry SET changes = '[{"field": "fee", "old": "1.5", "new": "9"}]'
                          WHERE id = %s""", [entry.pk])
        cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only")
    assert audit_verify().pk == entry.pk
