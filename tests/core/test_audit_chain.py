"""The audit chain: every stored column is covered by the hash, the database refuses UPDATE and DELETE, and two
products appending at the same moment never fork the chain."""
import threading
import time

import pytest
from django.db import DatabaseError, connection, transaction

from approvals import services as approval_services
from core.audit import audit_verify
from core.models import AuditEntry
from lifecycle import services
from tests.factories import ProductFactory, UserFactory, complete_deliverables, reviewer_for
from tests.helpers import race

TRIGGER = "core_auditentry_append_only"

# column -> SQL expression giving a different but valid value (foreign keys point at another existing row)
TAMPERINGS = {
    "comment": "comment || ' (篡改)'",
    "actor_id": "(SELECT MIN(id) FROM accounts_user WHERE id <> COALESCE(actor_id, 0))",
    "product_id": "(SELECT MIN(id) FROM products_product WHERE id <> COALESCE(product_id, 0))",
    "action": "'step_rejected'",
    "from_value": "from_value || 'x'",
    "to_value": "'reject'",
    "created_at": "created_at + interval '1 second'",
    "object_type": "'product'",
    "object_id": "object_id || '0'",
    "changes": """'[{"field": "comment", "old": "", "new": "x"}]'::jsonb""",
    "prev_hash": "repeat('f', 64)",  # the link to the previous entry
}


def tamper(entry, column):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush deferred FK checks so the table can be altered
        cursor.execute(f"ALTER TABLE core_auditentry DISABLE TRIGGER {TRIGGER}")
        cursor.execute(f"UPDATE core_auditentry SET {column} = {TAMPERINGS[column]} WHERE id = %s", [entry.pk])
        cursor.execute(f"ALTER TABLE core_auditentry ENABLE TRIGGER {TRIGGER}")


@pytest.fixture
def decision_entry(db):
    """An entry with every column filled: actor, product, object, from, to and a comment; others follow it."""
    owner = UserFactory(username="pm_audit", role="product_manager")
    product = ProductFactory(owner=owner)
    complete_deliverables(product)
    review = services.gate_review_submit(product=product, user=owner)
    for department in ("risk", "compliance"):
        approval_services.approval_step_decide(review=review, department=department, user=reviewer_for(department),
                                      decision="approve", comment=f"{department} 同意")
    ProductFactory(owner=owner)  # a second product for the product_id tampering
    return AuditEntry.objects.get(action="step_approved", comment="risk 同意")


@pytest.mark.django_db
@pytest.mark.parametrize("column", sorted(TAMPERINGS))
def test_changing_any_stored_column_breaks_the_chain_at_that_entry(decision_entry, column):
    assert audit_verify() is None
    tamper(decision_entry, column)
    broken = audit_verify()
    assert broken is not None and broken.pk == decision_entry.pk


@pytest.mark.django_db
def test_sql_delete_is_blocked_by_the_trigger(decision_entry):
    count = AuditEntry.objects.count()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [decision_entry.pk])
    assert AuditEntry.objects.count() == count and audit_verify() is None


@pytest.mark.django_db
def test_sql_update_of_one_column_is_blocked_by_the_trigger(decision_entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditentry SET to_value = 'reject' WHERE id = %s", [decision_entry.pk])
    assert AuditEntry.objects.get(pk=decision_entry.pk).to_value == "approve"


@pytest.mark.django_db(transaction=True)
def test_two_products_appending_at_the_same_moment_keep_one_unbroken_chain():
    """The first product's transaction appends and then stays open; the second product's append (another row lock,
    so only the advisory lock orders them) must wait for that commit and link to its entry, not fork beside it."""
    owner = UserFactory(username="pm_chain", role="product_manager")
    first_product, second_product = ProductFactory(owner=owner), ProductFactory(owner=owner)
    for product in (first_product, second_product):
        services.deliverables_ensure(product=product)
    first_item, second_item = (p.deliverables.first() for p in (first_product, second_product))
    first_appended = threading.Event()

    def first():
        with transaction.atomic():
            services.deliverable_update(user=owner, deliverable=first_item, status="done")
            first_appended.set()
            time.sleep(0.5)  # hold the transaction (and the chain's lock) open while the other product appends

    def second():
        assert first_appended.wait(10)
        services.deliverable_update(user=owner, deliverable=second_item, status="done")

    outcomes = race(first, second)
    assert [o.error for o in outcomes] == [None, None]
    a, b = AuditEntry.objects.filter(action="deliverable_done").order_by("id")
    assert (a.product_id, b.product_id) == (first_product.pk, second_product.pk)
    assert b.prev_hash == a.entry_hash
    assert audit_verify() is None
