import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from core.audit import GENESIS_HASH, audit_verify
from core.models import AuditEntry, AuditImmutable

pytestmark = pytest.mark.django_db


def test_every_entry_links_to_the_previous_hash(submitted):
    entries = list(AuditEntry.objects.order_by("id"))
    assert entries[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.entry_hash for a, b in zip(entries, entries[1:], strict=False))
    assert audit_verify() is None


def test_saving_an_existing_entry_is_refused(submitted):
    entry = AuditEntry.objects.first()
    entry.comment = "篡改"
    with pytest.raises(AuditImmutable):
        entry.save()


def test_deleting_an_entry_is_refused(submitted):
    with pytest.raises(AuditImmutable):
        AuditEntry.objects.first().delete()


def test_queryset_update_and_delete_are_refused(submitted):
    with pytest.raises(AuditImmutable):
        AuditEntry.objects.filter(action="step_opened").update(comment="x")
    with pytest.raises(AuditImmutable):
        AuditEntry.objects.all().delete()


def test_sql_update_is_blocked_by_the_trigger(submitted):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditentry SET comment = 'x'")


def test_verify_audit_passes_on_an_intact_chain(submitted, capsys):
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out


def test_verify_audit_reports_the_first_row_altered_in_sql(submitted):
    target = AuditEntry.objects.order_by("id")[2]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush deferred FK checks so the table can be altered
        cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only")
        cursor.execute("UPDATE core_auditentry SET to_value = 'operation' WHERE id >= %s", [target.pk])
        cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only")
    with pytest.raises(CommandError, match=f"#{target.pk} "):
        call_command("verify_audit")


def test_verify_audit_detects_a_deleted_row(submitted):
    target = AuditEntry.objects.order_by("id")[3]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush deferred FK checks so the table can be altered
        cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only")
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [target.pk])
        cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only")
    broken = audit_verify()
    assert broken is not None and broken.pk > target.pk
