"""The hashed canonical form of an audit entry is fixed: chains already stored must keep verifying after any
release, so a change of its keys, values, order or time format is a breaking change these tests catch."""
from datetime import UTC, datetime, timedelta, timezone

from core.models import AuditEntry

CANONICAL = (
    '{"action": "step_approved", "actor": 3, "at": "2026-11-30T01:15:00.123456+00:00", "comment": "风险可控", '
    '"from": "risk", "object_id": "12", "object_type": "approvalstep", "prev": "' + "a" * 64 + '", "product": 7, '
    '"to": "approve"}'
)


def an_entry(**overrides):
    fields = {"product_id": 7, "actor_id": 3, "action": "step_approved", "object_type": "approvalstep",
              "object_id": "12", "from_value": "risk", "to_value": "approve", "comment": "风险可控",
              "prev_hash": "a" * 64,
              "created_at": datetime(2026, 11, 30, 9, 15, 0, 123456, tzinfo=timezone(timedelta(hours=8)))}
    return AuditEntry(**{**fields, **overrides})


def test_the_canonical_form_of_an_entry_is_exactly_this_json():
    assert an_entry().canonical() == CANONICAL


def test_the_hash_of_a_known_entry_never_changes():
    assert an_entry().compute_hash() == "86436657cb1c34003e11028494cc8ad8b8c2b979ed5233d37183306884087c11"


def test_field_changes_are_hashed_when_present():
    entry = an_entry(changes=[{"field": "fee", "old": "1.5", "new": "2"}])
    assert entry.compute_hash() == "3dc4d4eac40d123469c295312505e20b2d237f5af27123ed3c701aeab6cb0dda"
    assert '"changes": [{"field": "fee", "new": "2", "old": "1.5"}]' in entry.canonical()


def test_the_time_is_hashed_in_utc_so_the_servers_zone_does_not_matter():
    utc = datetime(2026, 11, 30, 1, 15, 0, 123456, tzinfo=UTC)
    assert an_entry(created_at=utc).compute_hash() == an_entry().compute_hash()
