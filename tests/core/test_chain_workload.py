"""After a mixed workload through every app's services, the chain holds and names each kind of change; a row
altered in SQL afterwards is found by verify_audit."""
import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts import services as accounts
from approvals import services as approval_services
from core.audit import audit_verify
from core.models import AuditEntry
from kpis import services as kpis
from kpis.models import Alert, Metric, Target
from lifecycle import services as lifecycle
from products import services as products
from requirements import services as requirements
from tests.factories import FeedbackFactory, UserFactory, complete_deliverables, observe

pytestmark = pytest.mark.django_db


@pytest.fixture
def workload(pm, head, admin_user):
    reviewers = {code: UserFactory(username=f"w_{code}", role="senior_management" if code == "senior_management"
                                   else "reviewer", departments=[code])
                 for code in ("risk", "compliance", "finance", "legal", "technology", "senior_management")}
    product = products.product_create(user=pm, data={"code": "WK-1", "name": "工作负载", "category": "loan",
                                                     "customer_segment": "mass_market", "risk_rating": "R3"})
    products.product_update(user=pm, product=product, data={"risk_rating": "R4"})
    complete_deliverables(product, user=pm)
    review = lifecycle.gate_review_submit(product=product, user=pm)
    while review.steps.filter(status="pending").exists():
        for step in review.steps.filter(status="pending"):
            approval_services.approval_step_decide(review=review, department=step.department,
                                           user=reviewers[step.department], decision="approve", comment="")
    requirement = requirements.requirement_create(user=pm, data={"product": product, "title": "额度提升",
                                                                 "source": "internal", "type": "feature"})
    requirements.requirement_transition(user=pm, requirement=requirement, transition="analyse")
    version = requirements.version_create(user=pm, data={"product": product, "name": "v1",
                                                         "planned_date": dt.date(2027, 1, 1)})
    requirements.version_release(user=pm, version=version)
    requirements.feedback_convert(user=pm, feedback_ids=[FeedbackFactory(product=product).pk], title="反馈需求")
    kpis.target_save(user=head, target=Target(product=product, metric=Metric.objects.get(code="default_rate"),
                                             granularity="month", period_start=dt.date(2026, 10, 1), target_value=1.5,
                                             warning_threshold=1.8, critical_threshold=2.0))
    observe(product, "default_rate", "2026-10-10", 2.5)
    kpis.kpi_snapshots_compute(period="2026-10", granularity="month")
    kpis.alert_acknowledge(user=pm, alert=Alert.objects.get(product=product), comment="跟进")
    colleague = UserFactory(username="w_colleague")
    colleague.role = "head_of_product"
    accounts.user_save(actor=admin_user, user=colleague)
    return product


def test_the_chain_holds_after_a_mixed_workload_of_every_app(workload):
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"product_created", "product_updated", "deliverable_done", "review_submitted", "step_approved",
            "review_approved", "stage_changed", "requirement_status_changed", "version_created", "version_released",
            "feedback_converted", "kpi_target_created", "kpi_alert_acknowledged", "user_updated"} <= actions
    assert audit_verify() is None
    call_command("verify_audit")


def test_a_row_altered_in_sql_after_the_workload_is_found(workload):
    victim = AuditEntry.objects.filter(action="stage_changed").get()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only")
        cursor.execute("UPDATE core_auditentry SET to_value = 'operation' WHERE id = %s", [victim.pk])
        cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only")
    assert audit_verify().pk == victim.pk
    with pytest.raises(CommandError, match=f"#{victim.pk}"):
        call_command("verify_audit")
