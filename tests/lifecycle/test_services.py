import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from core.models import AuditEntry
from lifecycle import services
from lifecycle.choices import GateReviewStatus, LifecycleError, StepStatus
from lifecycle.exceptions import GateConflict
from lifecycle.models import ApprovalStep, Deliverable, GateReview
from products.choices import ProductCategory
from tests.factories import (
    ProductFactory,
    UserFactory,
    advance_to,
    approve_all,
    complete_deliverables,
    exit_finish,
    exit_plan_ready,
)
from tests.helpers import assert_unchanged

pytestmark = pytest.mark.django_db

EXPECTED_PATH = ["development", "marketing", "operation", "retirement", "retired"]


@pytest.mark.parametrize("category", ProductCategory.values)
def test_product_of_every_category_walks_planning_to_retired_with_its_policy_departments(
        category, owner, reviewers):
    risk = "R4" if category == "wealth" else "R2"
    product = ProductFactory(owner=owner, category=category, risk_rating=risk)
    for target in EXPECTED_PATH:
        complete_deliverables(product)
        if target == "retirement":
            exit_plan_ready(product)
        elif target == "retired":
            exit_finish(product)
        review = services.gate_review_submit(product=product, user=owner)
        assert review.to_stage == target
        expected = [d for d, *_ in services.gate_policy_departments(product=product, to_stage=target)]
        assert [s.department for s in review.steps.order_by("position", "id")] == expected
        assert "compliance" in expected and expected[-1] == "senior_management"
        assert ("legal" in expected) == (category in ("loan", "wealth"))
        approve_all(review, reviewers)
        product.refresh_from_db()
        assert product.stage == target
    assert GateReview.objects.filter(product=product, status=GateReviewStatus.APPROVED).count() == 5


def test_development_to_marketing_needs_risk_compliance_finance_technology_then_senior(submitted):
    steps = list(submitted.steps.order_by("position", "id").values_list("department", "status"))
    assert steps == [("risk", "pending"), ("compliance", "pending"), ("finance", "pending"),
                     ("technology", "pending"), ("senior_management", "waiting")]


def test_submission_lists_missing_deliverables(product, owner):
    with pytest.raises(ValidationError) as error:
        services.gate_review_submit(product=product, user=owner)
    messages = error.value.message_dict["deliverables"]
    assert any("市场调研报告" in m for m in messages) and any("产品策略与目标" in m for m in messages)
    assert not GateReview.objects.exists()


def test_waived_deliverable_counts_as_finished_but_needs_a_reason(product, owner):
    services.deliverables_ensure(product=product)
    first, second = product.deliverables.order_by("id")
    first.required = False  # an optional item is waived at once; a required one asks (tests/lifecycle/test_waivers.py)
    first.save(update_fields=["required"])
    with pytest.raises(ValidationError) as error:
        services.deliverable_update(user=owner, deliverable=first, status="waived", reason=" ")
    assert "reason" in error.value.message_dict
    services.deliverable_update(user=owner, deliverable=first, status="waived", reason="沿用旧产品调研")
    services.deliverable_update(user=owner, deliverable=second, status="done")
    assert services.gate_review_submit(product=product, user=owner).to_stage == "development"


def test_second_open_review_for_a_product_is_a_conflict(submitted, owner):
    with pytest.raises(GateConflict) as error:
        services.gate_review_submit(product=submitted.product, user=owner)
    assert error.value.code == LifecycleError.REVIEW_ALREADY_OPEN


def test_only_owner_or_head_of_product_submits(product, other_pm, head, reviewers):
    complete_deliverables(product)
    with pytest.raises(PermissionDenied):
        services.gate_review_submit(product=product, user=other_pm)
    with pytest.raises(PermissionDenied):
        services.gate_review_submit(product=product, user=reviewers["risk"])
    assert services.gate_review_submit(product=product, user=head).submitted_by == head


def test_submitter_cannot_decide_even_as_department_member(product, reviewers):
    head = UserFactory(username="head_risk", role="head_of_product", departments=["product", "risk"])
    complete_deliverables(product)
    review = services.gate_review_submit(product=product, user=head)
    with pytest.raises(PermissionDenied, match="四眼"):
        services.approval_step_decide(review=review, department="risk", user=head, decision="approve")


def test_owner_who_is_admin_in_the_department_cannot_decide(reviewers):
    admin_owner = UserFactory(username="admin_owner", role="administrator", is_superuser=True,
                              departments=["risk", "compliance"])
    product = ProductFactory(owner=admin_owner)
    complete_deliverables(product)
    review = services.gate_review_submit(product=product, user=admin_owner)
    with pytest.raises(PermissionDenied, match="四眼"):
        services.approval_step_decide(review=review, department="compliance", user=admin_owner, decision="approve")
    assert review.steps.get(department="compliance").status == StepStatus.PENDING


def test_reviewer_decides_only_for_own_department(submitted, reviewers):
    with pytest.raises(PermissionDenied):
        services.approval_step_decide(review=submitted, department="finance", user=reviewers["risk"],
                                      decision="approve")
    assert submitted.steps.get(department="finance").status == StepStatus.PENDING


def test_senior_management_step_is_not_open_before_the_others(submitted, reviewers):
    with pytest.raises(GateConflict) as error:
        services.approval_step_decide(review=submitted, department="senior_management",
                                      user=reviewers["senior_management"], decision="approve")
    assert error.value.code == LifecycleError.STEP_NOT_OPEN


def test_step_decided_twice_is_a_conflict(submitted, reviewers):
    services.approval_step_decide(review=submitted, department="risk", user=reviewers["risk"], decision="approve")
    with pytest.raises(GateConflict) as error:
        services.approval_step_decide(review=submitted, department="risk", user=reviewers["risk"], decision="approve")
    assert error.value.code == LifecycleError.STEP_ALREADY_DECIDED


def test_rejection_requires_a_comment(submitted, reviewers):
    with pytest.raises(ValidationError) as error:
        services.approval_step_decide(review=submitted, department="risk", user=reviewers["risk"],
                                      decision="reject", comment="  ")
    assert "comment" in error.value.message_dict


def test_rejection_closes_review_keeps_stage_and_allows_resubmission(submitted, reviewers, owner):
    services.approval_step_decide(review=submitted, department="risk", user=reviewers["risk"], decision="reject",
                                  comment="风险评估不充分")
    submitted.refresh_from_db()
    product = submitted.product
    product.refresh_from_db()
    assert submitted.status == GateReviewStatus.REJECTED and product.stage == "development"
    assert set(submitted.steps.exclude(department="risk").values_list("status", flat=True)) == {"withdrawn"}
    with pytest.raises(GateConflict) as error:
        services.approval_step_decide(review=submitted, department="finance", user=reviewers["finance"],
                                      decision="approve")
    assert error.value.code == LifecycleError.REVIEW_CLOSED
    again = services.gate_review_submit(product=product, user=owner)
    approve_all(again, reviewers)
    product.refresh_from_db()
    assert product.stage == "marketing"


def test_last_approval_fires_the_transition_and_creates_next_stage_deliverables(submitted, reviewers):
    approve_all(submitted, reviewers)
    product = submitted.product
    product.refresh_from_db()
    assert product.stage == "marketing"
    titles = set(product.deliverables.filter(stage="marketing").values_list("title", flat=True))
    assert titles == {"营销推广方案", "渠道铺设方案"}
    actions = list(AuditEntry.objects.filter(product=product).order_by("id").values_list("action", flat=True))
    assert actions.index("review_approved") == actions.index("stage_changed") - 1


def test_the_stage_change_is_audited_on_the_product_with_both_stages(submitted, reviewers):
    approve_all(submitted, reviewers)
    entry = AuditEntry.objects.filter(action="stage_changed", product=submitted.product).order_by("id").last()
    assert (entry.object_type, entry.object_id, entry.from_value, entry.to_value) == (
        "product", str(submitted.product_id), "development", "marketing")


def test_a_rejection_hands_the_reviewer_who_rejected_to_the_processs_hooks(submitted, reviewers, request):
    from lifecycle import engine

    seen = []
    engine.register_hook(submitted.process, "rejected", lambda *, review, user: seen.append((review.pk, user)),
                         key="seen")
    request.addfinalizer(lambda: engine.unregister_hook(submitted.process, "rejected", "seen"))
    services.approval_step_decide(review=submitted, department="risk", user=reviewers["risk"], decision="reject",
                                  comment="风险评估不充分")
    assert seen == [(submitted.pk, reviewers["risk"])]


def test_cancellation_from_development_skips_deliverable_check(product, owner, reviewers):
    advance_to(product, "development", reviewers)
    review = services.gate_review_submit(product=product, user=owner, to_stage="cancelled")
    approve_all(review, reviewers)
    product.refresh_from_db()
    assert product.stage == "cancelled"


def test_cancellation_is_refused_after_launch(product, owner, reviewers):
    advance_to(product, "marketing", reviewers)
    with pytest.raises(ValidationError) as error:
        services.gate_review_submit(product=product, user=owner, to_stage="cancelled")
    assert "to_stage" in error.value.message_dict


def test_submitter_is_told_of_every_decision(submitted, reviewers, owner):
    services.approval_step_decide(review=submitted, department="risk", user=reviewers["risk"], decision="approve")
    assert owner.notifications.filter(title__contains="风险管理部").exists()


def test_reviewers_are_notified_when_their_step_opens_and_senior_management_only_last(product, owner, reviewers):
    complete_deliverables(product)
    review = services.gate_review_submit(product=product, user=owner)
    assert reviewers["compliance"].notifications.filter(title__contains="待审批").count() == 1
    assert not reviewers["senior_management"].notifications.exists()
    services.approval_step_decide(review=review, department="compliance", user=reviewers["compliance"],
                                  decision="approve")
    services.approval_step_decide(review=review, department="risk", user=reviewers["risk"], decision="approve")
    assert reviewers["senior_management"].notifications.filter(title__contains="待审批").count() == 1


def test_a_reviewers_notification_reads_in_the_reviewers_language(product, owner, reviewers):
    complete_deliverables(product)
    services.gate_review_submit(product=product, user=owner)
    note = reviewers["compliance"].notifications.get()
    with translation.override("en"):
        assert note.display_title == f"To review: {product.code} Gate review (Compliance)"
        assert "asks to move from \"Planning\" to \"Development\"" in note.display_body


def test_gate_with_only_senior_management_opens_its_step_at_once(product, owner, reviewers):
    from lifecycle.models import GatePolicy

    # Only the seeded senior-management rule still matches: senior management alone decides.
    GatePolicy.objects.exclude(department="senior_management").update(is_active=False)
    complete_deliverables(product)
    review = services.gate_review_submit(product=product, user=owner)
    step = review.steps.get()
    assert step.department == "senior_management" and step.status == StepStatus.PENDING and step.due_date
    services.approval_step_decide(review=review, department="senior_management", user=reviewers["senior_management"],
                                  decision="approve")
    product.refresh_from_db()
    assert product.stage == "development"


def test_missing_deliverables_are_named_in_the_readers_language(product, owner):
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.gate_review_submit(product=product, user=owner)
    messages = error.value.message_dict["deliverables"]
    assert any("Market research report" in m for m in messages) and not any("市场调研报告" in m for m in messages)


def test_submission_is_refused_when_no_policy_rule_names_a_department(product, owner):
    from lifecycle.models import GatePolicy, GateReview

    GatePolicy.objects.update(is_active=False)
    complete_deliverables(product)
    with pytest.raises(ValidationError) as refused:
        services.gate_review_submit(product=product, user=owner)
    assert refused.value.message_dict == {"process": ["审批规则没有为该评审指定任何审批部门，请联系管理员。"]}
    assert not GateReview.objects.filter(product=product).exists()


def test_a_decision_other_than_approve_or_reject_is_refused_and_nothing_changes(submitted, reviewers):
    with assert_unchanged(GateReview, ApprovalStep, AuditEntry), pytest.raises(ValidationError) as error:
        services.approval_step_decide(review=submitted, department="risk", user=reviewers["risk"],
                                      decision="abstain")
    assert error.value.message_dict == {"decision": ["决定必须是 approve 或 reject。"]}


def test_deciding_for_a_department_the_review_does_not_ask_is_refused_and_nothing_changes(submitted, reviewers):
    with assert_unchanged(GateReview, ApprovalStep, AuditEntry), pytest.raises(ValidationError) as error:
        services.approval_step_decide(review=submitted, department="legal", user=reviewers["legal"],
                                      decision="approve")
    assert error.value.message_dict == {"department": ["该评审没有此部门的审批步骤。"]}


def test_an_unknown_deliverable_status_is_refused_and_nothing_changes(product, owner):
    services.deliverables_ensure(product=product)
    item = Deliverable.objects.filter(product=product).first()
    with assert_unchanged(Deliverable, AuditEntry), pytest.raises(ValidationError) as error:
        services.deliverable_update(user=owner, deliverable=item, status="half_done")
    assert error.value.message_dict == {"status": ["无效的状态。"]}
