"""Writing and verifying the audit chain. Every app's services call `audit_record` in their own transaction.

Appends are serialised by a PostgreSQL advisory lock so the chain never forks. Actions are codes registered by
each app (`register_actions`) so the trail can name them in the reader's language.
"""
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, models, transaction
from django.utils import timezone

from .models import AuditCheckpoint, AuditEntry

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


_VALUE_LABELS: dict[str, object] = {}


def register_value_labels(*choices: type[models.TextChoices]) -> None:
    """Codes an app stores in from/to values (stages, statuses, departments), named in the reader's language."""
    for each in choices:
        _VALUE_LABELS.update(dict(each.choices))


def value_label(code: str) -> str:
    return str(_VALUE_LABELS.get(code, code))


def object_type_choices() -> list[tuple[str, str]]:
    """Every model that can be the object of an entry, named by its verbose name."""
    from django.apps import apps
    from django.conf import settings

    base = str(settings.BASE_DIR)
    return sorted(((m._meta.model_name, str(m._meta.verbose_name)) for m in apps.get_models()
                   if str(m._meta.app_config.path).startswith(base) and ".venv" not in str(m._meta.app_config.path)
                   and not m._meta.model_name.startswith("historical")), key=lambda c: c[0])


def object_type_label(model_name: str) -> str:
    return dict(object_type_choices()).get(model_name, model_name)


def field_label(model_name: str, field: str) -> str:
    """A diff's field named by its verbose name (the code when the model or field is unknown)."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    for model in apps.get_models():
        if model._meta.model_name == model_name:
            try:
                return str(model._meta.get_field(field).verbose_name)
            except FieldDoesNotExist:
                return field
    return field


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
        for listener in _LISTENERS:
            listener(entry=entry)
        return entry


_LISTENERS: list = []


def register_audit_listener(listener) -> None:
    """`listener(*, entry)` runs after each entry is appended, in its transaction (apps above the core publish
    their events from here, e.g. webhooks: an event is then written on every path that audits it)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def audit_edit(*, action: str, actor, obj, before: dict, fields: Iterable[str], product=None,
               comment: str = "") -> AuditEntry | None:
    """Record an edit of `obj` with its field-by-field diff against `before`; nothing when no field changed."""
    changes = diff(before, field_values(obj, fields))
    if not changes:
        return None
    return audit_record(action=action, actor=actor, product=product, obj=obj, comment=comment, changes=changes,
                        from_value=", ".join(c["field"] for c in changes)[:200])


def audit_verify() -> AuditEntry | None:
    """Walk the chain in order; return the first entry whose content or link does not match, or None."""
    expected_prev = GENESIS_HASH
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != expected_prev or entry.compute_hash() != entry.entry_hash:
            return entry
        expected_prev = entry.entry_hash
    return None


def audit_checkpoint() -> AuditCheckpoint:
    """Anchor the chain as it is now (entry count and head hash) in the separate append-only checkpoint table.

    Taken under the append lock, so the count and the head belong to the same state of the chain."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_LOCK_KEY])
        head = AuditEntry.objects.order_by("-id").values_list("id", "entry_hash").first()
        return AuditCheckpoint.objects.create(entry_count=AuditEntry.objects.count(),
                                              head_id=head[0] if head else None, head_hash=head[1] if head else "")


def audit_verify_checkpoints() -> str | None:
    """What the checkpoints say is missing from the chain, or None: every checkpoint's head entry must still be
    there with its hash, with exactly as many entries up to it as were counted; entries are never removed, so the
    chain also holds at least as many entries as the latest checkpoint counted."""
    entries = AuditEntry.objects.all()
    latest = AuditCheckpoint.objects.order_by("-id").first()
    if latest is not None and entries.count() < latest.entry_count:
        return (f"checkpoint #{latest.pk} of {latest.created_at:%Y-%m-%d %H:%M} counted {latest.entry_count} "
                f"entries, the chain holds {entries.count()}: its tail or the whole table was removed")
    for checkpoint in AuditCheckpoint.objects.exclude(head_id=None).order_by("-id").iterator(chunk_size=500):
        head_hash = entries.filter(pk=checkpoint.head_id).values_list("entry_hash", flat=True).first()
        if head_hash != checkpoint.head_hash:
            return f"checkpoint #{checkpoint.pk}: head entry #{checkpoint.head_id} is missing or was rewritten"
        counted = entries.filter(pk__lte=checkpoint.head_id).count()
        if counted != checkpoint.entry_count:
            return (f"checkpoint #{checkpoint.pk}: {checkpoint.entry_count} entries up to #{checkpoint.head_id}, "
                    f"{counted} found")
    return None
