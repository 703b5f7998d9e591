from datetime import date

import pytest
from django_fsm import TransitionNotAllowed

from approvals import services as approval_services
from approvals.models import GatePolicy
from lifecycle import services
from lifecycle.diagram import lifecycle_diagram
from lifecycle.models import Deliverable
from products.choices import LifecycleStage
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def departments(product, to_stage):
    return [code for code, *_ in services.gate_policy_departments(product=product, to_stage=to_stage)]


def test_policy_every_gate_needs_compliance_and_ends_with_senior_management(owner):
    product = ProductFactory(owner=owner, category="deposit", risk_rating="R1")
    assert departments(product, "operation") == ["compliance", "senior_management"]


def test_policy_development_to_marketing_adds_risk_finance_technology(owner):
    product = ProductFactory(owner=owner, category="payment")
    assert departments(product, "marketing") == ["risk", "compliance", "finance", "technology", "senior_management"]


@pytest.mark.parametrize("category, risk, legal", [("wealth", "R5", True), ("wealth", "R4", True),
                                                   ("wealth", "R3", False), ("loan", "R1", True),
                                                   ("credit_card", "R5", False)])
def test_policy_legal_for_high_risk_wealth_and_every_loan(category, risk, legal, owner):
    product = ProductFactory(owner=owner, category=category, risk_rating=risk, interest_rate=None)
    assert ("legal" in departments(product, "development")) is legal


def test_inactive_policy_rule_is_ignored(owner):
    GatePolicy.objects.filter(department="legal").update(is_active=False)
    product = ProductFactory(owner=owner, category="loan")
    assert "legal" not in departments(product, "development")


def test_add_working_days_skips_weekends():
    assert approval_services.add_working_days(date(2026, 11, 20), 3) == date(2026, 11, 25)  # Friday + 3 -> Wednesday


def test_deliverable_status_is_protected_and_moves_only_by_transitions(product):
    services.deliverables_ensure(product=product)
    item = Deliverable.objects.filter(product=product).first()
    with pytest.raises(AttributeError):
        item.status = "done"
    item.complete()
    with pytest.raises(TransitionNotAllowed):
        item.waive()
    item.full_clean()  # protected FSM fields do not break model validation
    item.save()
    item.refresh_from_db()
    assert item.status == "done"


def test_deliverables_are_created_once_per_template(product):
    assert services.deliverables_ensure(product=product) == 2
    assert services.deliverables_ensure(product=product) == 0
    assert Deliverable.objects.filter(product=product).count() == 2


def test_diagram_has_every_transition_of_the_state_machine_and_highlights_the_current_stage():
    diagram = lifecycle_diagram("marketing")
    assert {e.name for e in diagram["edges"]} == {
        "start_development", "launch", "begin_operation", "begin_retirement", "retire", "cancel"}
    assert [n.stage for n in diagram["nodes"] if n.current] == ["marketing"]
    assert {n.stage for n in diagram["nodes"]} == {
        "planning", "development", "marketing", "operation", "retirement", "retired", "cancelled"}


def test_diagram_edges_are_labelled_with_stage_names_in_the_readers_language():
    from django.utils import translation

    with translation.override("en"):
        edge = next(e for e in lifecycle_diagram("planning")["edges"] if e.name == "start_development")
        assert edge.label == f"{LifecycleStage.PLANNING.label} → {LifecycleStage.DEVELOPMENT.label}"
        assert edge.label == "Planning → Development"  # English stage names, not the method name


@pytest.mark.parametrize("link", ["ftp://files.bank.example/r.pdf", "javascript:alert(1)"])
def test_a_deliverable_link_other_than_http_or_https_is_refused(product, link):
    from django.core.exceptions import ValidationError

    services.deliverables_ensure(product=product)
    item = Deliverable.objects.filter(product=product).first()
    item.link = link
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert "link" in error.value.message_dict


def test_the_database_refuses_a_script_link_written_past_validation(product):
    from django.db import IntegrityError, transaction

    services.deliverables_ensure(product=product)
    with pytest.raises(IntegrityError), transaction.atomic():
        Deliverable.objects.filter(product=product).update(link="javascript:alert(1)")
