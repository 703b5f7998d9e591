"""Writing and verifying the audit chain. Every app's services call `audit_record` in their own transaction.

Appends are serialised by a PostgreSQL advisory lock so the chain never forks. Actions are codes registered by
each app (`register_actions`) so the trail can name them in the reader's language.
"""
import json
import logging
import os
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from . import labels
from .models import AuditCheckpoint, AuditEntry, audit_mac

logger = logging.getLogger(__name__)
# The anchor file's tail that verification reads (its newest lines; appends arrive roughly in order).
ANCHOR_TAIL_BYTES = 256 * 1024

GENESIS_HASH = "0" * 64
# Arbitrary constant key of the transaction-level advisory lock that serialises appends.
AUDIT_LOCK_KEY = 7_310_001
_ACTION_LABELS: dict[str, object] = {}


def register_actions(choices: type[models.TextChoices]) -> None:
    """Make an app's action codes known to the trail (called from its AppConfig.ready)."""
    _ACTION_LABELS.update(dict(choices.choices))


def action_label(code: str) -> str:
    return str(_ACTION_LABELS.get(code, code))


_ACTION_LABELLERS: dict[str, object] = {}


def register_action_labeller(action: str, labeller) -> None:
    """Name one action by its entry: `labeller(entry) -> label or None` (None: the action's registered label).
    E.g. the approval engine names a review's submission by its process."""
    _ACTION_LABELLERS[action] = labeller


def entry_action_label(entry) -> str:
    """An entry's action in the reader's language, as the pages and exports show it."""
    labeller = _ACTION_LABELLERS.get(entry.action)
    label = labeller(entry) if labeller is not None else None
    return str(label) if label is not None else action_label(entry.action)


def action_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(label)) for code, label in _ACTION_LABELS.items()), key=lambda c: c[0])


def register_value_labels(*choices: type[models.TextChoices]) -> None:
    """Codes an app stores in from/to values (stages, statuses, departments): see core/labels."""
    labels.register_codes(*choices)


def value_label(code: str) -> str:
    return labels.code_label(code)


def object_type_choices() -> list[tuple[str, str]]:
    """The kinds of object a person acts on, by verbose name (core/labels: no internal bookkeeping models)."""
    return labels.object_types()


def object_type_label(model_name: str) -> str:
    from django.apps import apps

    model = next((m for m in apps.get_models() if m._meta.model_name == model_name), None)
    return str(model._meta.verbose_name) if model is not None else model_name


def field_label(model_name: str, field: str) -> str:
    """A diff's field named by its verbose name (see core/labels; the code when nothing knows it)."""
    return labels.field_label(model_name, field)


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
    return audit_records([dict(action=action, actor=actor, product=product, obj=obj, from_value=from_value,
                               to_value=to_value, comment=comment, changes=changes)])[0]


def audit_records(records: list[dict]) -> list[AuditEntry]:
    """Append several entries (each the keyword arguments of `audit_record`) in order, in the caller's
    transaction, with one lock and one insert whatever their number (bulk writes: one entry per object)."""
    if not records:
        return []
    # No savepoint inside the caller's transaction (two round trips on every audited write): an entry that fails
    # must roll back the change it records, never be caught and skipped.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_LOCK_KEY])
        last = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first() or GENESIS_HASH
        now, entries = timezone.now(), []
        for record in records:
            entry = _entry(**record, created_at=now, prev_hash=last)
            last = entry.entry_hash
            entries.append(entry)
        if len(entries) == 1:
            entries[0].save()
        else:
            entries = AuditEntry.objects.bulk_create(entries)
        for entry in entries:
            for listener in _LISTENERS:
                listener(entry=entry)
        if settings.BANKPM_AUDIT_ANCHOR_FILE:
            head = entries[-1]
            transaction.on_commit(lambda: audit_anchor_append(head_id=head.pk, head_hash=head.entry_hash))
        return entries


def _entry(*, action: str, actor=None, product=None, obj=None, from_value: str = "", to_value: str = "",
           comment: str = "", changes: list[dict] | None = None, created_at, prev_hash: str) -> AuditEntry:
    entry = AuditEntry(
        action=str(action), actor=actor if getattr(actor, "is_authenticated", False) else None,
        product=product, object_type=object_type_of(obj) if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        from_value=str(from_value)[:200], to_value=str(to_value)[:200], comment=str(comment),
        changes=changes or [], created_at=created_at, prev_hash=prev_hash, keyed=True,
    )
    entry.entry_hash = entry.compute_hash()
    return entry


_LISTENERS: list = []


def register_audit_listener(listener) -> None:
    """`listener(*, entry)` runs after each entry is appended, in its transaction (apps above the core publish
    their events from here, e.g. webhooks: an event is then written on every path that audits it)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


# --- Anchors outside the database ----------------------------------------------------------------------------

def _anchor_line(*, head_id: int, head_hash: str) -> str:
    return f"anchor|{head_id}|{head_hash}"


def audit_anchor_append(*, head_id: int, head_hash: str) -> None:
    """Append the signed chain head to the anchor file (after the entry's commit). A failure is logged, never
    raised: the write it anchors has happened."""
    record = {"head_id": head_id, "head_hash": head_hash, "at": timezone.now().isoformat(),
              "sig": audit_mac(_anchor_line(head_id=head_id, head_hash=head_hash))}
    try:
        os.makedirs(os.path.dirname(settings.BANKPM_AUDIT_ANCHOR_FILE) or ".", exist_ok=True)
        # One short line per O_APPEND write: concurrent workers' lines never interleave.
        fd = os.open(settings.BANKPM_AUDIT_ANCHOR_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (json.dumps(record) + "\n").encode())
        finally:
            os.close(fd)
    except OSError:
        logger.exception("Audit anchor not written for entry #%s", head_id)


def _latest_anchor() -> tuple[dict | None, str | None]:
    """The anchor file's newest correctly signed head, or what is wrong with the file."""
    path = settings.BANKPM_AUDIT_ANCHOR_FILE
    try:
        with open(path, "rb") as anchors:
            offset = max(0, anchors.seek(0, os.SEEK_END) - ANCHOR_TAIL_BYTES)
            anchors.seek(offset)
            lines = anchors.read().decode(errors="replace").splitlines()
    except FileNotFoundError:
        return None, None
    latest = None
    for line in lines[1:] if offset else lines:  # past the first line read from the middle of the file
        try:
            record = json.loads(line)
            signed = audit_mac(_anchor_line(head_id=int(record["head_id"]), head_hash=str(record["head_hash"])))
        except (ValueError, KeyError, TypeError):
            return None, f"anchor file {path}: an unreadable line"
        if signed != record.get("sig"):
            return None, f"anchor file {path}: a line for entry #{record['head_id']} is not signed with the audit key"
        if latest is None or int(record["head_id"]) > latest["head_id"]:
            latest = {"head_id": int(record["head_id"]), "head_hash": record["head_hash"]}
    return latest, None


def audit_verify_anchor() -> str | None:
    """What the anchor file outside the database says is missing from the chain, or None: its newest head entry
    must still be there with its hash (a removed tail, a TRUNCATE of the trail and its checkpoints together)."""
    if not settings.BANKPM_AUDIT_ANCHOR_FILE:
        return None
    latest, problem = _latest_anchor()
    if problem:
        return problem
    if latest is None:
        if AuditEntry.objects.filter(keyed=True).exists():
            return f"anchor file {settings.BANKPM_AUDIT_ANCHOR_FILE} is missing although keyed entries exist"
        return None
    found = AuditEntry.objects.filter(pk=latest["head_id"]).values_list("entry_hash", flat=True).first()
    if found != latest["head_hash"]:
        return (f"anchor file: entry #{latest['head_id']} is missing or was rewritten (the chain's tail or the "
                f"whole trail was removed)")
    return None


def audit_edit(*, action: str, actor, obj, before: dict, fields: Iterable[str], product=None,
               comment: str = "") -> AuditEntry | None:
    """Record an edit of `obj` with its field-by-field diff against `before`; nothing when no field changed."""
    changes = diff(before, field_values(obj, fields))
    if not changes:
        return None
    return audit_record(action=action, actor=actor, product=product, obj=obj, comment=comment, changes=changes,
                        from_value=", ".join(c["field"] for c in changes)[:200])


def audit_verify(*, progress=None, every: int = 2000) -> AuditEntry | None:
    """Walk the chain in order; return the first entry whose content or link does not match, or None. Once a keyed
    entry appears every later one must be keyed (an unkeyed hash there is a rewrite without the key).
    `progress(done, total)` is called every `every` entries (a requested run shows it on the audit page)."""
    expected_prev, keyed_seen = GENESIS_HASH, False
    total = AuditEntry.objects.count() if progress else 0
    for done, entry in enumerate(AuditEntry.objects.order_by("id").iterator(chunk_size=2000), start=1):
        if entry.prev_hash != expected_prev or entry.compute_hash() != entry.entry_hash:
            return entry
        if keyed_seen and not entry.keyed:
            return entry
        expected_prev, keyed_seen = entry.entry_hash, keyed_seen or entry.keyed
        if progress and done % every == 0:
            progress(done, total)
    return None


def audit_checkpoint() -> AuditCheckpoint:
    """Anchor the chain as it is now (entry count and head hash) in the separate append-only checkpoint table.

    Taken under the append lock, so the count and the head belong to the same state of the chain."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_LOCK_KEY])
        head = AuditEntry.objects.order_by("-id").values_list("id", "entry_hash").first()
        checkpoint = AuditCheckpoint(entry_count=AuditEntry.objects.count(), head_id=head[0] if head else None,
                                     head_hash=head[1] if head else "")
        checkpoint.signature = audit_mac(checkpoint.signed_content())
        checkpoint.save()
        return checkpoint


def audit_verify_checkpoints() -> str | None:
    """What the checkpoints say is missing from the chain, or None: every checkpoint must carry the audit key's
    signature (those taken before the key existed excepted), its head entry must still be there with its hash, with
    exactly as many entries up to it as were counted; entries are never removed, so the chain also holds at least
    as many entries as the latest checkpoint counted. Then the anchor file outside the database (see there)."""
    entries = AuditEntry.objects.all()
    signed_seen = False
    for checkpoint in AuditCheckpoint.objects.order_by("id").iterator(chunk_size=500):
        if checkpoint.signature and checkpoint.signature != audit_mac(checkpoint.signed_content()):
            return f"checkpoint #{checkpoint.pk} is not signed with the audit key"
        if signed_seen and not checkpoint.signature:
            return f"checkpoint #{checkpoint.pk} is unsigned after signed ones"
        signed_seen = signed_seen or bool(checkpoint.signature)
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
    return audit_verify_anchor()
