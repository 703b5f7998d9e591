"""The complaints register's rules: registration (bulk, all or nothing), deadlines by severity, the lifecycle,
feedback turned into complaints, reminders and escalation, and the KPI computed from the register."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from complaints import services
from complaints.models import Complaint, ResponsePolicy
from core.audit import AuditEntry
from core.errors import BulkValidationError, DomainConflict
from kpis import services as kpi_services
from kpis.choices import IngestError
from kpis.models import Observation
from notifications.models import Notification
from tests.factories import FeedbackFactory, RequirementFactory, UserFactory, metric, region, reviewer_for
from tests.helpers import assert_unchanged

from .conftest import TODAY, item

pytestmark = pytest.mark.django_db


def register(user, **overrides):
    return services.complaints_register(user=user, items=[item(**overrides)])[0]


def test_a_complaints_deadline_is_its_receipt_plus_the_policy_days_of_its_severity(pm, product):
    complaint = register(pm, severity="high")
    assert complaint.due_on == complaint.received_on + dt.timedelta(days=5)


def test_a_new_severity_moves_the_deadline(pm, product):
    complaint = services.complaint_update(user=pm, complaint=register(pm), data={"severity": "critical"})
    assert complaint.due_on == complaint.received_on + dt.timedelta(days=1)


def test_the_deadline_follows_the_policy_data(pm, product):
    ResponsePolicy.objects.filter(severity="low").update(response_days=30)
    assert register(pm, severity="low").due_on == TODAY - dt.timedelta(days=2) + dt.timedelta(days=30)


def test_a_bulk_with_one_bad_item_is_refused_per_index_and_registers_nothing(pm, product):
    with assert_unchanged(Complaint, AuditEntry), pytest.raises(BulkValidationError) as error:
        services.complaints_register(user=pm, items=[item(), item(category="rude", region="mars"), "x"])
    assert error.value.item_errors == [
        {"index": 1, "errors": {"category": ["不是有效的选项。"], "region": ["不是有效的选项。"]}},
        {"index": 2, "errors": {"non_field_errors": ["每一项必须是 JSON 对象。"]}}]


def test_another_managers_product_is_refused(other_pm, product):
    with pytest.raises(BulkValidationError) as error:
        services.complaints_register(user=other_pm, items=[item()])
    assert error.value.item_errors[0]["errors"] == {"product": ["您无权为该产品登记投诉。"]}


def test_compliance_may_register_a_complaint(product):
    assert register(reviewer_for("compliance")).status == "open"


def test_the_lifecycle_runs_open_investigating_resolved_with_a_root_cause(pm, product):
    complaint = register(pm)
    complaint = services.complaint_transition(user=pm, complaint=complaint, transition="investigate")
    services.complaint_update(user=pm, complaint=complaint, data={"root_cause": "pricing",
                                                                  "root_cause_text": "费率规则未写清"})
    complaint = services.complaint_transition(user=pm, complaint=complaint, transition="resolve",
                                              resolution="退还重复年费")
    assert (complaint.status, complaint.resolved_on, complaint.root_cause) == ("resolved", TODAY, "pricing")
    entries = AuditEntry.objects.filter(action="complaint_status").order_by("id")
    assert list(entries.values_list("from_value", "to_value")) == [
        ("open", "investigating"), ("investigating", "resolved")]


def test_resolving_without_a_root_cause_is_refused_and_changes_nothing(pm, product):
    complaint = services.complaint_transition(user=pm, complaint=register(pm), transition="investigate")
    with pytest.raises(ValidationError) as error:
        services.complaint_transition(user=pm, complaint=complaint, transition="resolve", resolution="已处理")
    assert error.value.message_dict == {"root_cause": ["解决前请先填写根本原因。"]}
    complaint.refresh_from_db()
    assert (complaint.status, complaint.resolution) == ("investigating", "")


def test_rejecting_needs_a_reason(pm, product):
    complaint = register(pm)
    with pytest.raises(ValidationError):
        services.complaint_transition(user=pm, complaint=complaint, transition="reject", reason=" ")
    complaint = services.complaint_transition(user=pm, complaint=complaint, transition="reject", reason="重复投诉")
    assert (complaint.status, complaint.rejection_reason) == ("rejected", "重复投诉")


def test_resolving_an_open_complaint_skips_no_step(pm, product):
    complaint = services.complaint_update(user=pm, complaint=register(pm), data={"root_cause": "process",
                                                                                 "resolution": "已处理"})
    with pytest.raises(DomainConflict):
        services.complaint_transition(user=pm, complaint=complaint, transition="resolve")


def test_someone_else_may_not_handle_the_complaint(pm, other_pm, product):
    complaint = register(pm)
    with assert_unchanged(AuditEntry), pytest.raises(PermissionDenied):
        services.complaint_transition(user=other_pm, complaint=complaint, transition="investigate")


def test_links_must_belong_to_the_complaints_product(pm, product):
    mine, foreign = RequirementFactory(product=product), RequirementFactory()
    complaint = services.complaint_update(user=pm, complaint=register(pm), data={"requirements": [mine.pk]})
    assert list(complaint.requirements.all()) == [mine]
    with pytest.raises(ValidationError):
        services.complaint_update(user=pm, complaint=complaint, data={"requirements": [foreign.pk]})


def test_feedback_of_the_complaint_channel_becomes_one_complaint(pm, product):
    feedback = FeedbackFactory(product=product, channel="complaint", customer_segment="youth", text="扣费不透明")
    complaint = services.complaint_from_feedback(user=pm, feedback=feedback,
                                                 data={"category": "disclosure", "severity": "medium"})
    assert (complaint.feedback, complaint.segment, complaint.description, complaint.source) == (
        feedback, "youth", "扣费不透明", "feedback")
    with pytest.raises(DomainConflict):
        services.complaint_from_feedback(user=pm, feedback=feedback, data={"category": "fees", "severity": "low"})


def test_feedback_of_another_channel_is_not_a_complaint(pm, product):
    feedback = FeedbackFactory(product=product, channel="hotline")
    with assert_unchanged(Complaint), pytest.raises(DomainConflict):
        services.complaint_from_feedback(user=pm, feedback=feedback, data={"category": "fees", "severity": "low"})


def test_an_overdue_complaint_reminds_its_manager_once_a_day_and_escalates_once(pm, product):
    head = UserFactory(role="head_of_product", username="head_c")
    compliance = reviewer_for("compliance")
    complaint = register(pm, severity="critical", received_on=(TODAY - dt.timedelta(days=3)).isoformat())
    assert services.complaints_remind_overdue(today=TODAY) == {"reminded": 1, "escalated": 1}
    assert services.complaints_remind_overdue(today=TODAY) == {"reminded": 0, "escalated": 0}
    recipients = sorted(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == sorted([pm.username, head.username, compliance.username])
    complaint.refresh_from_db()
    assert (complaint.reminded_on, complaint.escalated_on) == (TODAY, TODAY)


def test_a_complaint_within_its_deadline_sends_nothing(pm, product):
    register(pm, severity="low")
    assert services.complaints_remind_overdue(today=TODAY) == {"reminded": 0, "escalated": 0}


def test_the_complaints_kpi_is_counted_from_the_register_by_dimension(pm, product):
    region("sh", "上海", "Shanghai")
    day = (TODAY - dt.timedelta(days=2)).isoformat()
    services.complaints_register(user=pm, items=[item(region="sh"), item(region="sh"), item(segment="youth")])
    total = Observation.objects.get(product=product, metric=metric("complaints"), date=day)
    assert (total.value, total.source) == (3, "rollup")


def test_a_rejected_complaint_no_longer_counts(pm, product):
    complaint = register(pm)
    register(pm)
    services.complaint_transition(user=pm, complaint=complaint, transition="reject", reason="重复")
    assert Observation.objects.get(product=product, metric=metric("complaints")).value == 1


def test_complaint_counts_of_a_product_with_a_register_cannot_be_uploaded(pm, product):
    register(pm)
    with pytest.raises(BulkValidationError) as error:
        kpi_services.observations_ingest(user=pm, items=[
            {"product": "CC-C", "metric": "complaints", "date": "2026-01-05", "value": 148}])
    assert error.value.item_errors == [{"index": 0, "errors": {"metric": [IngestError.FED_ELSEWHERE.label]}}]


def test_uploaded_complaint_counts_after_the_first_registered_complaint_are_dropped(pm, product):
    before, after = TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=1)
    kpi_services.observations_ingest(user=pm, items=[
        {"product": "CC-C", "metric": "complaints", "date": d.isoformat(), "value": 40} for d in (before, after)])
    register(pm)  # received two days ago
    assert list(Observation.objects.filter(product=product, metric=metric("complaints")).order_by("date")
                .values_list("date", "value", "source")) == [(before, 40, "api"), (TODAY - dt.timedelta(days=2), 1,
                                                                                        "rollup")]
