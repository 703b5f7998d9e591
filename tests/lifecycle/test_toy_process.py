"""A process registered from tests only runs through the real engine, API and queue with no engine change: a toy
"marketing material" sign-off whose subject is a requirement of the product (an existing model)."""
import pytest
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from core.models import AuditEntry
from lifecycle import engine, selectors, services
from lifecycle.models import GatePolicy, GateReview
from tests.factories import RequirementFactory
from tests.helpers import api

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
