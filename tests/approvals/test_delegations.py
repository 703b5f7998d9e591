"""Delegation on PostgreSQL: who may delegate to whom, and what a substitute may decide while it runs."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from approvals import delegations
from approvals import selectors as approval_selectors
from approvals import services as approval_services
from approvals.models import Delegation
from core.models import AuditEntry
from lifecycle import services
from notifications.models import Notification
from tests.factories import ProductFactory, UserFactory
from tests.helpers import api, assert_constant_queries

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def substitute(db):
    """A member of risk and legal: a substitute for the risk reviewer that can also see legal steps."""
    return UserFactory(username="risk_sub", role="reviewer", departments=["risk", "legal"])


def delegate(delegator, to, days=(0, 5)):
    return delegations.delegation_create(user=delegator, delegate=to, starts_on=TODAY() + dt.timedelta(days=days[0]),
                                         ends_on=TODAY() + dt.timedelta(days=days[1]))


def test_a_delegation_is_audited(reviewers, substitute):
    delegation = delegate(reviewers["risk"], substitute)
    entry = AuditEntry.objects.get(action="delegation_created")
    assert (entry.actor, entry.to_value) == (reviewers["risk"], substitute.username)
    assert delegation.delegate == substitute


def test_a_substitute_of_another_department_is_refused(reviewers):
    with pytest.raises(ValidationError) as error:
        delegate(reviewers["risk"], reviewers["finance"])
    assert "delegate" in error.value.message_dict


def test_a_delegation_that_has_already_ended_is_refused(reviewers, substitute):
    with pytest.raises(ValidationError) as error:
        delegate(reviewers["risk"], substitute, days=(-5, -1))
    assert "ends_on" in error.value.message_dict


def test_a_manager_outside_the_review_departments_cannot_delegate(owner, substitute):
    with pytest.raises(PermissionDenied):
        delegate(owner, substitute)


def test_the_substitute_who_asks_to_act_for_the_delegator_is_recorded_as_for_them(submitted, reviewers, make_user):
    colleague = make_user(username="fin_sub", role="reviewer", departments=["finance", "legal"])
    finance = reviewers["finance"]
    delegate(finance, colleague)
    step = approval_services.approval_step_decide(review=submitted, department="finance", user=colleague,
                                                  decision="approve",
                                         comment="代为同意", on_behalf_of=finance)
    assert (step.decided_by, step.on_behalf_of) == (colleague, finance)
    entry = AuditEntry.objects.filter(action="step_approved").latest("id")
    assert entry.actor == colleague and entry.changes == [{"field": "on_behalf_of", "old": None, "new": "finance_rev"}]
    assert Notification.objects.filter(recipient=finance, title__contains="代您审批").count() == 1


def test_a_reviewers_own_decision_is_his_own_while_a_delegation_to_him_runs(submitted, reviewers, make_user):
    colleague = make_user(username="fin_own", role="reviewer", departments=["finance"])
    delegate(reviewers["finance"], colleague)
    step = approval_services.approval_step_decide(review=submitted, department="finance", user=colleague,
                                                  decision="approve",
                                         comment="同意")
    assert (step.decided_by, step.on_behalf_of) == (colleague, None)
    assert AuditEntry.objects.filter(action="step_approved").latest("id").changes == []


def test_a_delegate_outside_the_department_decides_nothing_for_his_delegator(submitted, make_user):
    # An administrator in every department delegates to a technology reviewer: the delegate lends no department.
    everywhere = make_user(username="adm_deleg", role="administrator", is_superuser=True, is_staff=True,
                           departments=["risk", "compliance", "finance", "legal", "technology", "senior_management"])
    tech = make_user(username="tech_deleg", role="reviewer", departments=["technology"])
    delegate(everywhere, tech)
    for department in ("risk", "senior_management"):
        with pytest.raises(PermissionDenied):
            approval_services.approval_step_decide(review=submitted, department=department, user=tech,
                                                   decision="approve",
                                          comment="代为同意", on_behalf_of=everywhere)
        with pytest.raises(PermissionDenied):
            approval_services.approval_step_decide(review=submitted, department=department, user=tech,
                                                   decision="approve",
                                          comment="代为同意")
    assert submitted.steps.get(department="risk").status == "pending"
    assert submitted.steps.get(department="risk") not in approval_selectors.steps_waiting_for(user=tech)


def test_an_expired_delegation_lets_the_substitute_decide_nothing(submitted, reviewers, make_user):
    colleague = make_user(username="fin_sub2", role="reviewer", departments=["finance", "legal"])
    delegation = delegate(reviewers["finance"], colleague)
    Delegation.objects.filter(pk=delegation.pk).update(starts_on=TODAY() - dt.timedelta(days=9),
                                                      ends_on=TODAY() - dt.timedelta(days=1))
    colleague.departments.remove(*colleague.departments.filter(code="finance"))
    colleague = type(colleague).objects.get(pk=colleague.pk)
    with pytest.raises(PermissionDenied):
        approval_services.approval_step_decide(review=submitted, department="finance", user=colleague,
                                               decision="approve",
                                      on_behalf_of=reviewers["finance"])
    assert submitted.steps.get(department="finance") not in approval_selectors.steps_waiting_for(user=colleague)


def test_a_delegate_who_submitted_the_review_is_refused(reviewers, make_user):
    # the substitute is the head of product who submitted the review: four-eyes holds against them
    head = make_user(username="head_sub", role="head_of_product", departments=["finance"])
    product = ProductFactory(owner=make_user(username="owner_x"), category="credit_card", risk_rating="R3")
    from tests.factories import complete_deliverables
    from tests.lifecycle.conftest import advance_to

    advance_to(product, "development", reviewers)
    complete_deliverables(product)
    review = services.gate_review_submit(product=product, user=head)
    delegate(reviewers["finance"], head)
    with pytest.raises(PermissionDenied):
        approval_services.approval_step_decide(review=review, department="finance", user=head, decision="approve",
                                      on_behalf_of=reviewers["finance"])


def test_a_delegator_who_owns_the_product_passes_nothing_on(submitted, owner, reviewers, make_user):
    owner.departments.add(*type(owner).departments.rel.model.objects.filter(code="finance"))
    colleague = make_user(username="fin_sub3", role="reviewer", departments=["finance"])
    delegate(type(owner).objects.get(pk=owner.pk), colleague)
    with pytest.raises(PermissionDenied):
        approval_services.approval_step_decide(review=submitted, department="finance", user=colleague,
                                               decision="approve",
                                      on_behalf_of=owner)


def test_a_delegation_never_passes_on_further(submitted, reviewers, make_user):
    first = make_user(username="fin_first", role="reviewer", departments=["finance", "legal"])
    second = make_user(username="legal_second", role="reviewer", departments=["legal"])
    delegate(reviewers["finance"], first)
    delegate(type(first).objects.get(pk=first.pk), second)
    first.departments.remove(*first.departments.filter(code="finance"))
    second = type(second).objects.get(pk=second.pk)
    assert submitted.steps.get(department="finance") not in approval_selectors.steps_waiting_for(user=second)
    with pytest.raises(PermissionDenied):
        approval_services.approval_step_decide(review=submitted, department="finance", user=second, decision="approve",
                                      on_behalf_of=reviewers["finance"])


def test_only_the_delegator_ends_a_delegation(reviewers, substitute):
    delegation = delegate(reviewers["risk"], substitute)
    with pytest.raises(PermissionDenied):
        delegations.delegation_delete(user=substitute, delegation=delegation)
    delegations.delegation_delete(user=reviewers["risk"], delegation=delegation)
    assert not Delegation.objects.exists()
    assert AuditEntry.objects.filter(action="delegation_ended").count() == 1


def test_api_creates_lists_and_deletes_a_delegation(reviewers, substitute):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(reviewers["risk"])
    body = {"delegate": substitute.pk, "starts_on": TODAY().isoformat(),
            "ends_on": (TODAY() + dt.timedelta(days=3)).isoformat()}
    created = client.post("/api/v1/delegations/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["delegator"] == reviewers["risk"].pk
    assert [d["id"] for d in client.get("/api/v1/delegations/").json()["results"]] == [created.json()["id"]]
    assert client.delete(f"/api/v1/delegations/{created.json()['id']}/").status_code == 204
    assert not Delegation.objects.exists()


def test_api_refuses_a_delegation_to_another_department_with_a_400(reviewers):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(reviewers["risk"])
    response = client.post("/api/v1/delegations/", {"delegate": reviewers["finance"].pk,
                                                    "starts_on": TODAY().isoformat(),
                                                    "ends_on": TODAY().isoformat()}, format="json")
    assert response.status_code == 400 and "delegate" in response.json()
    assert not Delegation.objects.exists()


def test_api_lets_only_the_delegator_delete(reviewers, substitute):
    from rest_framework.test import APIClient

    delegation = delegate(reviewers["risk"], substitute)
    client = APIClient()
    client.force_authenticate(substitute)
    assert client.delete(f"/api/v1/delegations/{delegation.pk}/").status_code == 403
    assert Delegation.objects.count() == 1


def test_the_delegations_endpoint_does_not_grow_with_delegations(admin_user):
    def grow():
        for i in range(6):
            reviewer = UserFactory(role="reviewer", departments=["risk"])
            delegate(reviewer, UserFactory(role="reviewer", departments=["risk"]), days=(i, i + 3))

    grow()
    assert_constant_queries(api(admin_user), "/api/v1/delegations/", grow)
    assert api(admin_user).get("/api/v1/delegations/").json()["count"] == 12
