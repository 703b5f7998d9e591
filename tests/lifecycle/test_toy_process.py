"""A process registered from tests only runs through the real engine, API and queue with no engine change: a toy
"marketing material" sign-off whose subject is a requirement of the product (an existing model)."""
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import AuditEntry
from lifecycle import engine, selectors, services
from lifecycle.exceptions import GateConflict
from lifecycle.models import GatePolicy, GateReview
from tests.factories import RequirementFactory
from tests.helpers import api, login

pytestmark = pytest.mark.django_db
TOY = "toy_material"


class MaterialSignOff(engine.Process):
    """The toy process: the product's owner submits one requirement's material; compliance signs it off."""

    code = TOY
    label = _("宣传材料审核")
    finished: list = []

    def product_of(self, subject):
        return subject.product

    def can_submit(self, *, user, subject) -> bool:
        return user.is_authenticated and subject.product.owner_id == user.pk

    def snapshot(self, *, subject, target: str) -> dict:
        return {"requirement": {"id": subject.pk, "title": subject.title}}

    def on_approved(self, *, review, user) -> None:
        self.finished.append(("approved", review.subject_id, user.pk))

    def on_rejected(self, *, review, user) -> None:
        self.finished.append(("rejected", review.subject_id, user.pk))


@pytest.fixture
def toy(db):
    process = engine.register_process(MaterialSignOff())
    MaterialSignOff.finished = []
    GatePolicy.objects.create(process=TOY, department="compliance", phase=1)
    yield process
    engine._PROCESSES.pop(TOY, None)


def test_a_toy_process_runs_submit_decide_finish_through_the_engine_api_and_queue(toy, product, owner, reviewers):
    requirement = RequirementFactory(product=product)
    review = services.review_submit(process=TOY, subject=requirement, user=owner)
    # Its own row, and the rule every process shares: senior management decides last.
    assert [s.department for s in review.steps.order_by("position")] == ["compliance", "senior_management"]
    assert review.snapshot == {"requirement": {"id": requirement.pk, "title": requirement.title}}
    queue = selectors.steps_waiting_for(user=reviewers["compliance"])
    assert [s.review_id for s in queue] == [review.pk]
    for department in ("compliance", "senior_management"):
        response = api(reviewers[department]).post(f"/api/v1/gate-reviews/{review.pk}/decisions/",
                                                   {"department": department, "decision": "approve"}, format="json")
        assert response.status_code == 201, response.content
    assert GateReview.objects.get(pk=review.pk).status == "approved"
    assert MaterialSignOff.finished == [("approved", requirement.pk, reviewers["senior_management"].pk)]
    assert AuditEntry.objects.filter(action="review_approved", object_id=str(review.pk)).exists()


def test_the_toy_process_keeps_four_eyes_and_its_own_submitter_rule(toy, product, owner, reviewers, other_pm):
    requirement = RequirementFactory(product=product)
    with pytest.raises(PermissionDenied):
        services.review_submit(process=TOY, subject=requirement, user=other_pm)
    owner.departments.add(*type(owner).departments.rel.model.objects.filter(code="compliance"))
    review = services.review_submit(process=TOY, subject=requirement, user=type(owner).objects.get(pk=owner.pk))
    with pytest.raises(PermissionDenied):
        services.approval_step_decide(review=review, department="compliance",
                                      user=type(owner).objects.get(pk=owner.pk), decision="approve")


# --- Lock scope: a process of its own scope runs beside the stage gate ------------------------------------------

class ScopedSignOff(MaterialSignOff):
    """The toy process with its own lock scope, one open review per requirement."""

    code = "toy_scoped"
    lock_scope = "toy_material"

    def lock_key(self, *, subject) -> str:
        return f"{self.lock_scope}:{subject.pk}"


@pytest.fixture
def scoped(db):
    process = engine.register_process(ScopedSignOff())
    GatePolicy.objects.create(process="toy_scoped", department="compliance", phase=1)
    yield process
    engine._PROCESSES.pop("toy_scoped", None)


def test_a_process_with_its_own_lock_scope_opens_beside_an_open_stage_gate(scoped, submitted, owner):
    requirement = RequirementFactory(product=submitted.product)
    review = services.review_submit(process="toy_scoped", subject=requirement, user=owner)
    assert review.lock_key == f"toy_material:{requirement.pk}"
    assert GateReview.objects.filter(product=submitted.product, status="pending").count() == 2


def test_a_stage_gate_opens_beside_an_open_review_of_another_lock_scope(scoped, product, owner, reviewers):
    from tests.factories import advance_to, complete_deliverables

    advance_to(product, "development", reviewers)
    services.review_submit(process="toy_scoped", subject=RequirementFactory(product=product), user=owner)
    complete_deliverables(product)
    gate = services.gate_review_submit(product=product, user=owner)
    assert (gate.status, gate.lock_key) == ("pending", f"product_terms:{product.pk}")


def test_a_second_review_of_the_same_lock_key_is_refused_409(scoped, product, owner):
    requirement = RequirementFactory(product=product)
    services.review_submit(process="toy_scoped", subject=requirement, user=owner)
    with pytest.raises(GateConflict) as refused:
        services.review_submit(process="toy_scoped", subject=requirement, user=owner)
    assert refused.value.code == "review_already_open"


def test_the_terms_and_owner_guards_name_their_scope(scoped, product, owner):
    services.review_submit(process="toy_scoped", subject=RequirementFactory(product=product), user=owner)
    assert not selectors.review_pending(product=product, scope=engine.PRODUCT_TERMS)
    assert selectors.review_pending(product=product, scope=None)


# --- A system submitter, outcomes and the finished hook -------------------------------------------------------

class PeriodicCheck(MaterialSignOff):
    """A toy review the system opens (a beat task), decided as keep / remediate / exit."""

    code = "toy_periodic"
    label = _("定期检视")
    lock_scope = "toy_periodic"
    system_submits = True
    outcomes = (engine.Outcome("keep", _("维持"), 1), engine.Outcome("remediate", _("整改"), 2),
                engine.Outcome("exit", _("退出"), 3))


@pytest.fixture
def periodic(db):
    engine.register_process(PeriodicCheck())
    GatePolicy.objects.create(process="toy_periodic", department="compliance", phase=1)
    finished = []
    engine.register_hook("toy_periodic", "finished",
                         lambda *, review, user, outcome: finished.append((review.status, outcome)), key="seen")
    yield finished
    engine.unregister_hook("toy_periodic", "finished", "seen")
    engine._PROCESSES.pop("toy_periodic", None)


def _decide(user, review, department, **body):
    return api(user).post(f"/api/v1/gate-reviews/{review.pk}/decisions/",
                          {"department": department, **body}, format="json")


def test_the_system_opens_a_review_of_a_system_process_and_the_trail_says_system(periodic, product, reviewers):
    review = services.review_submit(process="toy_periodic", subject=RequirementFactory(product=product), user=None)
    entry = AuditEntry.objects.get(action="review_submitted", object_id=str(review.pk))
    assert (review.submitted_by, entry.actor, review.submitter_display) == (None, None, "系统")
    rows = list(selectors.history_export_rows(AuditEntry.objects.filter(pk=entry.pk)))
    assert rows[0][2] == "系统" and rows[0][3] == "提交评审" and rows[0][4] == "定期检视"
    body = api(reviewers["compliance"]).get(f"/api/v1/gate-reviews/{review.pk}/").json()
    assert (body["submitted_by"], body["submitted_by_username"]) == (None, None)


def test_a_process_that_is_not_system_submitted_refuses_no_user(toy, product):
    with pytest.raises(PermissionDenied):
        services.review_submit(process=TOY, subject=RequirementFactory(product=product), user=None)
    assert not GateReview.objects.filter(product=product).exists()


def test_the_most_cautious_outcome_of_the_approving_steps_is_the_reviews(periodic, product, reviewers):
    review = services.review_submit(process="toy_periodic", subject=RequirementFactory(product=product), user=None)
    assert _decide(reviewers["compliance"], review, "compliance", decision="approve",
                   outcome="remediate").status_code == 201
    response = _decide(reviewers["senior_management"], review, "senior_management", decision="approve",
                       outcome="keep")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["outcome"]) == ("approved", "remediate")
    assert [s["outcome"] for s in body["steps"]] == ["remediate", "keep"]
    assert periodic == [("approved", "remediate")]


def test_an_approval_without_an_outcome_is_400_on_the_outcome_field(periodic, product, reviewers):
    review = services.review_submit(process="toy_periodic", subject=RequirementFactory(product=product), user=None)
    response = _decide(reviewers["compliance"], review, "compliance", decision="approve")
    assert response.status_code == 400 and "outcome" in response.json()
    assert _decide(reviewers["compliance"], review, "compliance", decision="approve",
                   outcome="sell").status_code == 400


def test_an_outcome_is_refused_for_a_process_without_outcomes(toy, product, owner, reviewers):
    review = services.review_submit(process=TOY, subject=RequirementFactory(product=product), user=owner)
    response = _decide(reviewers["compliance"], review, "compliance", decision="approve", outcome="keep")
    assert response.status_code == 400 and "outcome" in response.json()


def test_a_rejection_finishes_the_review_without_an_outcome(periodic, product, reviewers):
    review = services.review_submit(process="toy_periodic", subject=RequirementFactory(product=product), user=None)
    response = _decide(reviewers["compliance"], review, "compliance", decision="reject", comment="材料不全")
    assert (response.status_code, response.json()["status"]) == (201, "rejected")
    assert periodic == [("rejected", "")]


def test_my_reviews_offers_the_outcomes_of_a_process_that_has_them(client, periodic, product, reviewers):
    services.review_submit(process="toy_periodic", subject=RequirementFactory(product=product), user=None)
    html = login(client, reviewers["compliance"]).get(reverse("lifecycle:my_reviews")).content.decode()
    assert 'name="outcome"' in html and 'value="remediate"' in html and "整改" in html and "系统" in html
