"""Deliverable rules: optional items never block a gate; nothing is reopened under a pending review; only the
current stage's items are ticked. Each through the service, the API and the page."""
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from approvals import services as approval_services
from approvals.exceptions import GateConflict
from approvals.models import GateReview
from core.models import AuditEntry
from lifecycle import services
from lifecycle.models import Deliverable, DeliverableTemplate
from products.models import Product
from tests.factories import advance_to
from tests.helpers import api, assert_unchanged, login

pytestmark = pytest.mark.django_db
GOVERNED = (Product, GateReview, Deliverable, AuditEntry)


@pytest.fixture
def optional_template(db):
    return DeliverableTemplate.objects.create(stage="planning", title="竞品分析（可选）", title_en="Competitor scan",
                                              required=False, position=99)


def tick_required(product):
    services.deliverables_ensure(product=product)
    for item in product.deliverables.filter(stage=product.stage, required=True, status="open"):
        services.deliverable_update(user=product.owner, deliverable=item, status="done")


def optional_item(product):
    return product.deliverables.get(title="竞品分析（可选）")


# --- an optional item left open does not block the gate ---------------------------------------------------------

def test_an_open_optional_item_does_not_block_submission(product, owner, optional_template):
    tick_required(product)
    review = services.gate_review_submit(product=product, user=owner)
    assert (review.from_stage, review.to_stage, review.status) == ("planning", "development", "pending")
    assert optional_item(product).status == "open"
    assert services.missing_deliverables(product=product) == []


def test_an_open_optional_item_does_not_block_submission_over_the_api(product, owner, optional_template):
    tick_required(product)
    response = api(owner).post(f"/api/v1/products/{product.pk}/gate-reviews/", {}, format="json")
    assert response.status_code == 201, response.content
    assert GateReview.objects.get(product=product).to_stage == "development"


def test_an_open_optional_item_does_not_block_submission_on_the_page(client, product, owner, optional_template):
    tick_required(product)
    login(client, owner).post(reverse("lifecycle:gate_submit", args=[product.pk]))
    assert GateReview.objects.get(product=product).status == "pending"


def test_an_open_required_item_still_blocks_submission(product, owner, optional_template):
    services.deliverables_ensure(product=product)
    services.deliverable_update(user=owner, deliverable=optional_item(product), status="done")
    with assert_unchanged(*GOVERNED), pytest.raises(ValidationError) as error:
        services.gate_review_submit(product=product, user=owner)
    assert len(error.value.message_dict["deliverables"]) == 2


# --- no reopening while a review is pending ----------------------------------------------------------------------

@pytest.fixture
def done_item(submitted):
    """A ticked item of the stage under review (development → marketing is pending)."""
    return submitted.product.deliverables.filter(stage="development", status="done").first()


def test_reopening_during_a_pending_review_is_refused_and_changes_nothing(done_item, owner):
    with assert_unchanged(*GOVERNED), pytest.raises(GateConflict) as error:
        services.deliverable_update(user=owner, deliverable=done_item, status="open")
    assert error.value.code == "deliverable_under_review"


def test_reopening_over_the_api_during_a_pending_review_is_409_and_changes_nothing(done_item, owner):
    """A state conflict (the review is pending), not a bad request: 409 with its code (it was a 400 on `status`)."""
    with assert_unchanged(*GOVERNED):
        response = api(owner).patch(f"/api/v1/deliverables/{done_item.pk}/", {"status": "open"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "deliverable_under_review"


def test_reopening_on_the_page_during_a_pending_review_shows_why_and_changes_nothing(client, done_item, owner):
    with assert_unchanged(*GOVERNED):
        response = login(client, owner).post(reverse("lifecycle:deliverable_update", args=[done_item.pk]),
                                             {"status": "open"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "阶段评审进行中，不能重新打开交付物。" in response.content.decode()


def test_reopening_once_the_review_is_decided_is_allowed_and_audited(done_item, owner, reviewers, submitted):
    approval_services.approval_step_decide(review=submitted, department="risk", user=reviewers["risk"],
                                           decision="reject",
                                  comment="补充材料")
    services.deliverable_update(user=owner, deliverable=done_item, status="open")
    done_item.refresh_from_db()
    assert (done_item.status, done_item.completed_by, done_item.completed_at) == ("open", None, None)
    entry = AuditEntry.objects.filter(action="deliverable_reopened").get()
    assert (entry.from_value, entry.to_value, entry.actor) == ("done", "open", owner)


# --- only the current stage's items ------------------------------------------------------------------------------

@pytest.fixture
def earlier_item(product, owner, reviewers, optional_template):
    """The product is in development; its optional planning item was left open and belongs to a past stage."""
    tick_required(product)
    review = services.gate_review_submit(product=product, user=owner)
    for step in review.steps.order_by("position", "id"):
        approval_services.approval_step_decide(review=review, department=step.department,
                                               user=reviewers[step.department],
                                      decision="approve", comment="同意")
    product.refresh_from_db()
    assert product.stage == "development"
    return optional_item(product)


def test_ticking_an_item_of_an_earlier_stage_is_refused_and_changes_nothing(earlier_item, owner):
    with assert_unchanged(*GOVERNED), pytest.raises(GateConflict) as error:
        services.deliverable_update(user=owner, deliverable=earlier_item, status="done")
    assert error.value.code == "deliverable_other_stage"


def test_attaching_a_link_to_an_item_of_an_earlier_stage_is_refused(earlier_item, owner):
    with assert_unchanged(*GOVERNED), pytest.raises(GateConflict):
        services.deliverable_update(user=owner, deliverable=earlier_item, link="https://docs.bank.example/scan")


def test_ticking_an_item_of_an_earlier_stage_over_the_api_is_409_and_changes_nothing(earlier_item, owner):
    """Which stage the product is in is state: 409 with its code (it was a 400 on `status`)."""
    with assert_unchanged(*GOVERNED):
        response = api(owner).patch(f"/api/v1/deliverables/{earlier_item.pk}/", {"status": "done"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "deliverable_other_stage"


def test_ticking_an_item_of_an_earlier_stage_on_the_page_is_refused_and_changes_nothing(client, earlier_item, owner):
    with assert_unchanged(*GOVERNED):
        response = login(client, owner).post(reverse("lifecycle:deliverable_update", args=[earlier_item.pk]),
                                             {"status": "done"}, follow=True)
    assert "只能更新当前阶段的交付物。" in response.content.decode()


def test_reopening_a_done_item_of_an_earlier_stage_is_refused(product, owner, reviewers):
    advance_to(product, "development", reviewers)
    planning_item = product.deliverables.filter(stage="planning", status="done").first()
    with assert_unchanged(*GOVERNED), pytest.raises(GateConflict):
        services.deliverable_update(user=owner, deliverable=planning_item, status="open")


def test_ticking_an_item_of_the_current_stage_is_stored_with_who_and_when(product, owner):
    services.deliverables_ensure(product=product)
    item = product.deliverables.filter(stage="planning").first()
    services.deliverable_update(user=owner, deliverable=item, status="done")
    item.refresh_from_db()
    assert (item.status, item.completed_by) == ("done", owner) and item.completed_at is not None


# --- details: corrected through the service, audited field by field --------------------------------------------

def test_correcting_an_items_details_is_audited_field_by_field(product, owner, other_pm):
    services.deliverables_ensure(product=product)
    item = product.deliverables.filter(stage="planning").first()
    services.deliverable_edit(user=owner, deliverable=item, data={"owner": other_pm, "link": "https://wiki.bank.cn/plan"})
    entry = AuditEntry.objects.get(action="deliverable_edited", object_id=str(item.pk))
    assert (entry.actor, entry.product) == (owner, product)
    assert {c["field"]: (c["old"], c["new"]) for c in entry.changes} == {
        "owner": (item.owner_id, other_pm.pk), "link": ("", "https://wiki.bank.cn/plan")}


def test_an_edit_that_changes_nothing_writes_no_entry(product, owner):
    services.deliverables_ensure(product=product)
    item = product.deliverables.filter(stage="planning").first()
    services.deliverable_edit(user=owner, deliverable=item, data={"title": item.title})
    assert not AuditEntry.objects.filter(action="deliverable_edited").exists()


def test_the_checklists_own_fields_cannot_be_edited_as_details(product, owner):
    services.deliverables_ensure(product=product)
    item = product.deliverables.filter(stage="planning", required=True).first()
    with assert_unchanged(*GOVERNED), pytest.raises(ValidationError) as refused:
        services.deliverable_edit(user=owner, deliverable=item, data={"required": False})
    assert refused.value.message_dict == {"required": ["该字段不能在此修改。"]}


def test_someone_with_no_part_in_the_product_cannot_edit_an_item(product, other_pm):
    from django.core.exceptions import PermissionDenied

    services.deliverables_ensure(product=product)
    item = product.deliverables.filter(stage="planning").first()
    with assert_unchanged(*GOVERNED), pytest.raises(PermissionDenied):
        services.deliverable_edit(user=other_pm, deliverable=item, data={"title": "改名"})


def test_attaching_a_link_with_the_status_is_audited(product, owner):
    services.deliverables_ensure(product=product)
    item = product.deliverables.filter(stage="planning").first()
    services.deliverable_update(user=owner, deliverable=item, status="done", link="https://wiki.bank.cn/done")
    entry = AuditEntry.objects.get(action="deliverable_edited", object_id=str(item.pk))
    assert entry.changes == [{"field": "link", "old": "", "new": "https://wiki.bank.cn/done"}]
