"""The chain's key and its tail: entries are HMAC-keyed with a secret outside the database, checkpoints are signed,
and every write's head is anchored in a file outside the database, so that a database superuser who rewrites an
entry and recomputes the chain, deletes the tail, or empties the trail and its checkpoints together is reported."""
import hashlib
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core.audit import audit_checkpoint, audit_record, audit_verify, audit_verify_checkpoints
from core.models import AuditCheckpoint, AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def anchors(settings, tmp_path):
    settings.BANKPM_AUDIT_ANCHOR_FILE = str(tmp_path / "audit" / "anchors.log")
    return tmp_path / "audit" / "anchors.log"


@pytest.fixture
def chain(anchors, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            audit_record(action="test_entry", comment=f"#{n}")
    return list(AuditEntry.objects.order_by("id"))


def behind_the_triggers(*statements):
    """What a database superuser can do: switch the append-only triggers off and write what they like."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
        cursor.execute("ALTER TABLE core_auditcheckpoint DISABLE TRIGGER USER")
        for sql, params in statements:
            cursor.execute(sql, params)
        cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")
        cursor.execute("ALTER TABLE core_auditcheckpoint ENABLE TRIGGER USER")


def test_new_entries_are_keyed_and_verify(chain):
    assert all(e.keyed for e in chain) and audit_verify() is None and audit_verify_checkpoints() is None
    plain = hashlib.sha256(chain[0].canonical().encode()).hexdigest()
    assert chain[0].entry_hash != plain


def test_a_rewritten_entry_with_every_later_hash_recomputed_without_the_key_is_reported(chain):
    # The attacker rewrites entry 2 and re-chains everything after it with plain SHA-256, as the chain used to be.
    statements, prev = [], chain[1].entry_hash
    for entry in chain[2:]:
        entry.prev_hash = prev
        entry.comment = "改写" if entry.pk == chain[2].pk else entry.comment
        entry.keyed = False
        entry.entry_hash = hashlib.sha256(entry.canonical().encode()).hexdigest()
        statements.append(("UPDATE core_auditentry SET comment=%s, prev_hash=%s, entry_hash=%s, keyed=false "
                           "WHERE id=%s", [entry.comment, entry.prev_hash, entry.entry_hash, entry.pk]))
        prev = entry.entry_hash
    behind_the_triggers(*statements)
    assert audit_verify().pk == chain[2].pk


def test_a_rewritten_entry_rekeyed_with_another_key_is_reported(chain, settings):
    entry = chain[2]
    entry.comment = "改写"
    settings.BANKPM_AUDIT_KEY = "the attacker's guess"
    forged = entry.compute_hash()
    settings.BANKPM_AUDIT_KEY = settings.SECRET_KEY
    behind_the_triggers(("UPDATE core_auditentry SET comment=%s, entry_hash=%s WHERE id=%s",
                         ["改写", forged, entry.pk]))
    assert audit_verify().pk == entry.pk


def test_entries_deleted_after_the_last_checkpoint_are_reported(chain, django_capture_on_commit_callbacks):
    audit_checkpoint()
    with django_capture_on_commit_callbacks(execute=True):
        tail = [audit_record(action="test_entry", comment=f"tail {n}") for n in range(2)]
    behind_the_triggers(("DELETE FROM core_auditentry WHERE id >= %s", [tail[0].pk]))
    assert audit_verify() is None  # what is left still chains, and the database checkpoint still holds
    assert f"entry #{tail[-1].pk} is missing" in audit_verify_checkpoints()


def test_a_truncate_before_the_first_checkpoint_is_reported(chain):
    assert not AuditCheckpoint.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE core_auditentry CASCADE")
    with pytest.raises(CommandError, match="missing"):
        call_command("verify_audit")


def test_a_truncate_of_the_trail_and_its_checkpoints_together_is_reported(chain):
    audit_checkpoint()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE core_auditentry, core_auditcheckpoint CASCADE")
    assert "missing" in audit_verify_checkpoints()


def test_a_forged_anchor_line_is_reported(chain, anchors):
    with anchors.open("a") as file:
        file.write(json.dumps({"head_id": 999999, "head_hash": "f" * 64, "at": "", "sig": "0" * 64}) + "\n")
    assert "not signed with the audit key" in audit_verify_checkpoints()


def test_a_checkpoint_inserted_by_hand_is_reported(chain):
    behind_the_triggers(("INSERT INTO core_auditcheckpoint (created_at, entry_count, head_id, head_hash, signature) "
                         "VALUES (now(), 5, %s, %s, %s)", [chain[-1].pk, chain[-1].entry_hash, "0" * 64]))
    assert "not signed" in audit_verify_checkpoints()


def test_entries_written_before_the_key_still_verify_and_the_chain_goes_on_keyed(anchors):
    from django.utils import timezone

    legacy = AuditEntry(action="test_entry", object_type="", created_at=timezone.now(), prev_hash="0" * 64)
    legacy.entry_hash = hashlib.sha256(legacy.canonical().encode()).hexdigest()
    legacy.save()  # as release 1 wrote it: plain SHA-256, keyed false
    keyed = audit_record(action="test_entry")
    assert keyed.keyed and keyed.prev_hash == legacy.entry_hash and audit_verify() is None


def test_an_unkeyed_entry_after_keyed_ones_breaks_the_chain(chain):
    last = chain[-1]
    last.keyed = False
    plain = hashlib.sha256(last.canonical().encode()).hexdigest()
    behind_the_triggers(("UPDATE core_auditentry SET keyed=false, entry_hash=%s WHERE id=%s", [plain, last.pk]))
    assert audit_verify().pk == last.pk
