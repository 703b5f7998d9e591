"""Writing and verifying the audit chain. Every app's services call `audit_record` in their own transaction.

Appends are serialised by a PostgreSQL advisory lock so the chain never forks. Actions are codes registered by
each app (`register_actions`) so the trail can name them in the reader's language.
"""
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, models, transaction
from django.utils import timezone

from .models import AuditEntry

GENESIS_HASH = "0" * 64
# Arbitrary constant key of the transaction-level advisory lock that serialises appends.
AUDIT_LOCK_KEY = 7_310_001
_ACTION_LABELS: dict[str, object] = {}


def register_actions(choices: type[models.TextChoices]) -> None:
    """Make an app's action codes known to the trail (called from its AppConfig.ready)."""
    _ACTION_LABELS.update(dict(choices.choices))


def action_label(code: str) -> str:
    return str(_ACTION_LABELS.get(code, code))


def action_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(label)) for code, label in _ACTION_LABELS.items()), key=lambda c: c[0])


def object_type_of(obj) -> str:
    return obj._meta.model_name


def audit_value(value) -> object:
    """A JSON-safe, stable rendering of a field value for the diff."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 1.50 and 1.5 are the same amount
    if isinstance(value, float):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set | frozenset):
        items = [audit_value(v) for v in value]
        return items if isinstance(value, list | tuple) else sorted(items, key=str)
    if isinstance(value, dict):
        return {str(k): audit_value(v) for k, v in value.items()}
    return str(value)


def field_values(obj, fields: Iterable[str]) -> dict[str, object]:
    """The audited values of `fields` on `obj` (foreign keys by id, many-to-many as sorted ids)."""
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(getattr(obj, name).values_list("pk", flat=True)) if obj.pk else []
        elif field.is_relation:
            values[name] = getattr(obj, field.attname)
        else:
            values[name] = audit_value(getattr(obj, name))
    return values


def diff(before: dict, after: dict) -> list[dict]:
    """Field-by-field changes between two `field_values` snapshots, in the order of `after`."""
    return [{"field": name, "old": audit_value(before.get(name)), "new": audit_value(new)}
            for name, new in after.items() if audit_value(before.get(name)) != audit_value(new)]


def audit_record(*, action: str, actor=None, product=None, obj=None, from_value: str = "", to_value: str = "",
                 comment: str = "", changes: list[dict] | None = None) -> AuditEntry:
    """Append one entry to the chain, in the caller's transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_LOCK_KEY])
        last = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first()
        entry = AuditEntry(
            action=str(action), actor=actor if getattr(actor, "is_authenticated", False) else None,
            product=product, object_type=object_type_of(obj) if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            from_value=str(from_value)[:200], to_value=str(to_value)[:200], comment=str(comment),
            changes=changes or [], created_at=timezone.now(), prev_hash=last or GENESIS_HASH,
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
