"""The approval engine: processes, policy phases as data, snapshots, and the hooks other apps plug in."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lifecycle import engine, services
from lifecycle.choices import STAGE_GATE, StepStatus
from lifecycle.models import GatePolicy, GateReview
from tests.factories import UserFactory, approve_all, complete_deliverables

pytestmark = pytest.mark.django_db


class RepricingProcess(engine.Process):
    """A process registered only by these tests: its subject is the product, approval renames it."""

    code = "test_repricing"
    label = "test repricing"

    def can_submit(self, *, user, subject) -> bool:
        return subject.owner_id == user.pk

    def facts(self, *, subject, target):
        facts = super().facts(subject=subject, target=target)
        if subject.fee and subject.fee > 10:
            facts.flags.add("expensive")
        return facts

    def snapshot(self, *, subject, target):
        return {"fee": str(subject.fee)}

    def on_approved(self, *, review, user):
        review.product.name = "repriced"
        review.product.save(update_fields=["name"])


@pytest.fixture
def repricing():
    process = engine.register_process(RepricingProcess())
    GatePolicy.objects.create(process=process.code, department="finance", phase=1)
    GatePolicy.objects.create(process=process.code, department="legal", phase=1, fact="expensive")
    yield process
    engine._PROCESSES.pop(process.code)


def test_a_stage_gate_records_terms_and_deliverables_at_submission(submitted):
    snapshot = GateReview.objects.get(pk=submitted.pk).snapshot
    assert snapshot["to_stage"] == "marketing" and snapshot["product"]["code"] == submitted.product.code
    assert snapshot["terms"]["risk_rating"] == "R3"
    assert {d["status"] for d in snapshot["deliverables"]} == {"done"} and len(snapshot["deliverables"]) == 4


def test_the_snapshot_keeps_what_was_submitted_when_the_product_changes_later(submitted):
    product = submitted.product
    product.fee_terms = "changed after submission"
    product.save()
    assert GateReview.objects.get(pk=submitted.pk).snapshot["terms"]["fee_terms"] != "changed after submission"


def test_the_api_returns_the_snapshot_and_process_of_a_review(client, submitted, reviewers):
    client.force_login(reviewers["risk"])
    body = client.get(f"/api/v1/gate-reviews/{submitted.pk}/").json()
    assert body["process"] == "stage_gate" and body["snapshot"]["terms"]["risk_rating"] == "R3"


def test_the_review_list_filters_by_process(client, repricing, product, owner, reviewers):
    services.review_submit(process=repricing.code, subject=product, user=owner)
    client.force_login(reviewers["risk"])
    body = client.get(f"/api/v1/gate-reviews/?process={repricing.code}").json()
    assert [r["process"] for r in body["results"]] == [repricing.code]
    assert client.get("/api/v1/gate-reviews/?process=stage_gate").json()["count"] == 0
    assert client.get("/api/v1/gate-reviews/?process=nonexistent").status_code == 400


def test_a_later_phase_opens_only_when_every_step_of_the_earlier_phases_approved(product, owner, reviewers):
    # Policy data, not code: legal decides in a third phase, after senior management.
    GatePolicy.objects.filter(department="legal").update(phase=3)
    product.category = "loan"
    product.save()
    complete_deliverables(product)
    review = services.gate_review_submit(product=product, user=owner)
    phases = dict(review.steps.values_list("department", "position"))
    assert phases == {"compliance": 1, "risk": 1, "senior_management": 2, "legal": 3}
    for department in ("compliance", "risk"):
        services.approval_step_decide(review=review, department=department, user=reviewers[department],
                                      decision="approve")
    statuses = dict(review.steps.values_list("department", "status"))
    assert statuses == {"compliance": StepStatus.APPROVED, "risk": StepStatus.APPROVED,
                        "senior_management": StepStatus.PENDING, "legal": StepStatus.WAITING}


def test_one_approval_of_several_in_a_phase_does_not_open_the_next(submitted, reviewers):
    services.approval_step_decide(review=submitted, department="risk", user=reviewers["risk"], decision="approve")
    assert submitted.steps.get(department="senior_management").status == StepStatus.WAITING


def test_a_registered_process_uses_its_own_policy_rows_and_facts(repricing, product, owner):
    product.fee = 20
    product.save()
    review = services.review_submit(process=repricing.code, subject=product, user=owner)
    assert set(review.steps.values_list("department", flat=True)) == {"finance", "legal", "senior_management"}
    assert review.snapshot == {"fee": "20.00"} and review.from_stage == "" and review.process == repricing.code


def test_a_policy_fact_the_subject_lacks_adds_no_step(repricing, product, owner):
    product.fee = 1
    product.save()
    review = services.review_submit(process=repricing.code, subject=product, user=owner)
    assert "legal" not in set(review.steps.values_list("department", flat=True))


def test_a_registered_process_runs_its_approval_after_the_last_phase(repricing, product, owner, reviewers):
    review = services.review_submit(process=repricing.code, subject=product, user=owner)
    for step in review.steps.order_by("position", "id"):
        services.approval_step_decide(review=review, department=step.department, user=reviewers[step.department],
                                      decision="approve")
    product.refresh_from_db()
    assert product.name == "repriced" and product.stage == "planning"


def test_the_process_decides_who_may_submit(repricing, product):
    stranger = UserFactory(role="head_of_product")
    with pytest.raises(PermissionDenied):
        services.review_submit(process=repricing.code, subject=product, user=stranger)
    assert not GateReview.objects.filter(product=product).exists()


def test_a_registered_precondition_blocks_submission_with_its_field(product, owner):
    def needs_description(*, subject, target):
        return {"description": ["描述必填"]} if not subject.description else {}

    engine.register_hook(STAGE_GATE, "precondition", needs_description, key="needs_description")
    try:
        product.description = ""
        product.save()
        complete_deliverables(product)
        with pytest.raises(ValidationError) as refused:
            services.gate_review_submit(product=product, user=owner)
    finally:
        engine.unregister_hook(STAGE_GATE, "precondition", "needs_description")
    assert refused.value.message_dict == {"description": ["描述必填"]}
    assert not GateReview.objects.filter(product=product).exists()


def test_a_registered_snapshot_section_is_recorded(product, owner):
    engine.register_hook(STAGE_GATE, "snapshot", lambda *, subject, target: {"open": 2}, key="example_section")
    try:
        complete_deliverables(product)
        review = services.gate_review_submit(product=product, user=owner)
    finally:
        engine.unregister_hook(STAGE_GATE, "snapshot", "example_section")
    assert review.snapshot["example_section"] == {"open": 2}


def test_an_approval_hook_runs_in_the_deciding_transaction(submitted, reviewers):
    seen = []
    engine.register_hook(STAGE_GATE, "approved", lambda *, review, user: seen.append((review.pk, user.pk)),
                         key="seen")
    try:
        approve_all(submitted, reviewers)
    finally:
        engine.unregister_hook(STAGE_GATE, "approved", "seen")
    assert seen == [(submitted.pk, reviewers["senior_management"].pk)]


def test_the_hook_registry_refuses_an_unknown_event_and_a_snapshot_without_its_key():
    with pytest.raises(ValueError):
        engine.register_hook(STAGE_GATE, "on_approved", lambda **kwargs: None)
    with pytest.raises(ValueError):
        engine.register_hook(STAGE_GATE, "snapshot", lambda **kwargs: {})
    assert engine.hooks(STAGE_GATE, "on_approved") == []
