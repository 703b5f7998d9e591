"""The audit chain cannot lose its tail unnoticed: TRUNCATE is refused, and checkpoints kept in their own
append-only table let verify_audit report a removed tail or an emptied table."""
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from core.audit import audit_checkpoint, audit_record, audit_verify_checkpoints
from core.models import AuditCheckpoint, AuditEntry, AuditImmutable
from core.tasks import checkpoint_audit_chain
from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(db):
    for n in range(5):
        audit_record(action="test_entry", comment=f"#{n}")
    return list(AuditEntry.objects.order_by("id"))


def _behind_the_triggers(sql, params=()):
    """What someone with the table owner's rights can do: switch the row triggers off for a moment."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only")


@pytest.mark.parametrize("table", ["core_auditentry", "core_auditcheckpoint"])
def test_truncate_of_an_audit_table_is_refused(chain, table):
    audit_checkpoint()
    with pytest.raises(DatabaseError, match="TRUNCATE refused"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL bankpm.audit_truncate = 'refused'")  # a production session
            cursor.execute(f"TRUNCATE {table} CASCADE")
    assert AuditEntry.objects.count() == 5 and AuditCheckpoint.objects.count() == 1


def test_a_checkpoint_records_the_count_and_the_head_hash(chain):
    checkpoint = audit_checkpoint()
    assert (checkpoint.entry_count, checkpoint.head_id, checkpoint.head_hash) == (5, chain[-1].pk,
                                                                                   chain[-1].entry_hash)
    assert audit_verify_checkpoints() is None


def test_a_checkpoint_of_an_empty_chain_counts_nothing_and_has_no_head(db):
    checkpoint = audit_checkpoint()
    checkpoint.refresh_from_db()
    assert (checkpoint.entry_count, checkpoint.head_id, checkpoint.head_hash) == (0, None, "")
    assert audit_verify_checkpoints() is None


def test_a_removed_tail_is_reported(chain):
    audit_checkpoint()
    _behind_the_triggers("DELETE FROM core_auditentry WHERE id >= %s", [chain[3].pk])
    with pytest.raises(CommandError, match="incomplete"):
        call_command("verify_audit")


def test_an_emptied_table_is_reported_instead_of_intact_with_zero_entries(chain):
    audit_checkpoint()
    _behind_the_triggers("DELETE FROM core_auditentry")
    with pytest.raises(CommandError, match="counted 5 entries, the chain holds 0"):
        call_command("verify_audit")


def test_a_tail_removed_and_rewritten_to_the_same_count_is_reported(chain):
    audit_checkpoint()
    _behind_the_triggers("DELETE FROM core_auditentry WHERE id = %s", [chain[-1].pk])
    audit_record(action="test_entry", comment="replacement")
    assert "missing or was rewritten" in audit_verify_checkpoints()


def test_checkpoints_are_append_only(chain):
    checkpoint = audit_checkpoint()
    with pytest.raises(AuditImmutable):
        checkpoint.delete()
    with pytest.raises(AuditImmutable):
        AuditCheckpoint.objects.all().update(entry_count=0)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditcheckpoint SET entry_count = 0")


def test_the_nightly_checkpoint_is_sent_to_the_administrators(chain, admin_user, pm):
    result = checkpoint_audit_chain.apply(kwargs={"notify_admins": True}).get()
    note = Notification.objects.get()
    assert note.recipient == admin_user and result["head_hash"] in note.body


def test_checkpoints_are_taken_every_hour_and_sent_nightly(settings):
    hourly = settings.CELERY_BEAT_SCHEDULE["core-audit-checkpoint"]
    nightly = settings.CELERY_BEAT_SCHEDULE["core-audit-checkpoint-nightly"]
    assert hourly["task"] == nightly["task"] == checkpoint_audit_chain.name
    assert nightly["kwargs"] == {"notify_admins": True}
