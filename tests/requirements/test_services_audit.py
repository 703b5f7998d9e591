"""Every backlog write is in the audit chain: requirements, comments, status transitions, versions, feedback."""
import datetime as dt

import pytest
from django.utils import translation

from core.audit import action_label, audit_verify
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


def test_a_new_requirement_is_audited_with_its_values_and_tags(product, pm):
    requirement = services.requirement_create(user=pm, data={
        "product": product, "title": "提前还款", "source": "internal", "type": "feature", "priority": "P1",
        "tags": ["分期"]})
    entry = AuditEntry.objects.get(action="requirement_created")
    assert (entry.actor, entry.product, entry.object_id) == (pm, product, str(requirement.pk))
    assert {"field": "title", "old": None, "new": "提前还款"} in entry.changes
    assert {"field": "tags", "old": None, "new": [requirement.tags.get().pk]} in entry.changes


def test_a_requirement_edit_records_the_field_diff_and_keeps_its_own_history(product, pm):
    requirement = RequirementFactory(product=product, priority="P2")
    services.requirement_update(user=pm, requirement=requirement, data={"priority": "P0"})
    assert AuditEntry.objects.get(action="requirement_updated").changes == [
        {"field": "priority", "old": "P2", "new": "P0"}]
    assert requirement.history.count() == 2


def test_a_requirement_sent_back_untouched_writes_no_entry(product, pm):
    requirement = RequirementFactory(product=product, priority="P2")
    services.requirement_update(user=pm, requirement=requirement, data={"priority": "P2"})
    assert not AuditEntry.objects.exists()


def test_a_deleted_requirement_leaves_its_values_in_the_chain(product, pm):
    requirement = RequirementFactory(product=product, title="作废的需求")
    pk = requirement.pk
    services.requirement_delete(user=pm, requirement=requirement)
    entry = AuditEntry.objects.get(action="requirement_deleted")
    assert (entry.object_id, entry.from_value) == (str(pk), "作废的需求")
    assert {"field": "title", "old": "作废的需求", "new": None} in entry.changes


def test_bulk_created_requirements_get_one_entry_each_in_an_intact_chain(product, pm):
    created = services.requirement_bulk_create(user=pm, items=[
        {"product": product, "title": f"批量{i}", "source": "internal", "type": "feature", "priority": "P2"}
        for i in range(3)])
    entries = AuditEntry.objects.filter(action="requirement_created").order_by("id")
    assert [e.object_id for e in entries] == [str(r.pk) for r in created]
    assert audit_verify() is None


def test_a_comment_is_audited(product, pm):
    requirement = RequirementFactory(product=product)
    comment = services.comment_create(user=pm, requirement=requirement, body="请补充数据")
    entry = AuditEntry.objects.get(action="requirement_commented")
    assert (entry.object_type, entry.object_id, entry.product) == ("comment", str(comment.pk), product)


def test_new_feedback_is_audited_with_its_values(product, pm):
    feedback = services.feedback_create(user=pm, data={
        "product": product, "channel": "hotline", "customer_segment": "mass_market", "text": "限额太低",
        "sentiment": "negative", "received_on": dt.date(2026, 10, 1)})
    entry = AuditEntry.objects.get(action="feedback_created")
    assert (entry.object_type, entry.object_id) == ("feedback", str(feedback.pk))
    assert {"field": "text", "old": None, "new": "限额太低"} in entry.changes


def test_a_feedback_correction_records_the_field_diff(product, pm):
    feedback = FeedbackFactory(product=product, text="原文")
    services.feedback_update(user=pm, feedback=feedback, data={"text": "更正"})
    assert AuditEntry.objects.get(action="feedback_updated").changes == [
        {"field": "text", "old": "原文", "new": "更正"}]


def test_deleted_feedback_leaves_its_values_in_the_chain(product, pm):
    feedback = FeedbackFactory(product=product, text="重复录入")
    services.feedback_delete(user=pm, feedback=feedback)
    assert {"field": "text", "old": "重复录入", "new": None} in AuditEntry.objects.get(
        action="feedback_deleted").changes


def test_new_backlog_actions_are_named_in_english(product, pm):
    with translation.override("en"):
        assert [action_label(code) for code in ("requirement_created", "feedback_deleted")] == [
            "New requirement", "Feedback deleted"]


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
