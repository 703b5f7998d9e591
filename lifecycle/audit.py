"""The append-only audit chain: appends are serialised by a PostgreSQL advisory lock so the chain never forks."""
from django.db import connection, transaction
from django.utils import timezone

from .models import AuditEntry

GENESIS_HASH = "0" * 64
# Arbitrary constant key of the transaction-level advisory lock that serialises appends.
AUDIT_LOCK_KEY = 7_310_001


def audit_record(*, action: str, actor=None, product=None, obj=None, from_value: str = "", to_value: str = "",
                 comment: str = "") -> AuditEntry:
    """Append one entry to the chain, in the caller's transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_LOCK_KEY])
        last = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first()
        entry = AuditEntry(
            action=action, actor=actor, product=product,
            object_type=obj._meta.model_name if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            from_value=str(from_value)[:200], to_value=str(to_value)[:200], comment=comment,
            created_at=timezone.now(), prev_hash=last or GENESIS_HASH,
        )
        entry.entry_hash = entry.compute_hash()
        entry.save()
        return entry


def audit_verify() -> AuditEntry | None:
    """Walk the chain in order; return the first entry whose content or link does not match, or None."""
    expected_prev = GENESIS_HASH
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != expected_prev or entry.compute_hash() != entry.entry_hash:
            return entry
        expected_prev = entry.entry_hash
    return None
