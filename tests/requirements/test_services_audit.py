"""Backlog services that write the audit chain: status transitions, versions, feedback conversion."""
import datetime as dt

import pytest

from core.audit import audit_verify
from core.models import AuditEntry
from requirements import services
from tests.factories import FeedbackFactory, ProductFactory, ProductVersionFactory, RequirementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(pm):
    return ProductFactory(owner=pm)


def test_a_status_transition_is_in_the_chain_with_from_and_to(product, pm):
    requirement = RequirementFactory(product=product)
    services.requirement_transition(user=pm, requirement=requirement, transition="analyse")
    entry = AuditEntry.objects.get(action="requirement_status_changed")
    assert (entry.actor, entry.product, entry.object_type, entry.object_id) == (
        pm, product, "requirement", str(requirement.pk))
    assert (entry.from_value, entry.to_value) == ("new", "analysing")


def test_a_rejection_keeps_its_reason_in_the_entry(product, pm):
    requirement = RequirementFactory(product=product)
    services.requirement_transition(user=pm, requirement=requirement, transition="reject", reason="与监管冲突")
    assert "与监管冲突" in AuditEntry.objects.get(action="requirement_status_changed").comment


def test_field_edits_stay_in_the_requirements_own_history_not_the_chain(product, pm):
    requirement = RequirementFactory(product=product)
    services.requirement_update(user=pm, requirement=requirement, data={"priority": "P0"})
    assert not AuditEntry.objects.exists()
    assert requirement.history.count() == 2


def test_a_new_version_is_audited_with_its_values(product, pm):
    version = services.version_create(user=pm, data={"product": product, "name": "v9.0",
                                                     "planned_date": dt.date(2027, 1, 1)})
    entry = AuditEntry.objects.get(action="version_created")
    assert (entry.object_id, entry.to_value) == (str(version.pk), "v9.0")
    assert {"field": "name", "old": None, "new": "v9.0"} in entry.changes


def test_a_version_edit_records_the_field_diff(product, pm):
    version = ProductVersionFactory(product=product, name="v1.0", planned_date=dt.date(2027, 1, 1))
    services.version_update(user=pm, version=version, data={"name": "v1.1", "planned_date": dt.date(2027, 2, 1)})
    entry = AuditEntry.objects.get(action="version_updated")
    assert entry.changes == [{"field": "name", "old": "v1.0", "new": "v1.1"},
                             {"field": "planned_date", "old": "2027-01-01", "new": "2027-02-01"}]


def test_releasing_a_version_is_audited(product, pm):
    version = ProductVersionFactory(product=product)
    services.version_release(user=pm, version=version)
    entry = AuditEntry.objects.get(action="version_released")
    assert (entry.from_value, entry.to_value, entry.product) == ("planned", "released", product)
    assert entry.changes[0]["field"] == "released_on"


def test_converting_feedback_records_one_entry_per_item_pointing_at_the_requirement(product, pm):
    items = FeedbackFactory.create_batch(2, product=product)
    requirement = services.feedback_convert(user=pm, feedback_ids=[f.pk for f in items], title="提高限额")
    entries = AuditEntry.objects.filter(action="feedback_converted").order_by("id")
    assert [e.object_id for e in entries] == [str(f.pk) for f in items]
    assert entries[0].changes == [{"field": "requirement", "old": None, "new": requirement.pk}]
    assert audit_verify() is None
