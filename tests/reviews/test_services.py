"""A product that leaves operation cancels its running periodic review (and withdraws the pack from the engine)."""
import pytest

from approvals.engine import hooks
from core.models import AuditEntry
from lifecycle.choices import STAGE_GATE
from products.models import Product
from reviews import services
from reviews.models import ProductReview

from .conftest import opened, submitted

pytestmark = pytest.mark.django_db


def leave_operation(product):
    Product.objects.filter(pk=product.pk).update(stage="retirement")
    return Product.objects.get(pk=product.pk)


def test_a_review_being_prepared_is_cancelled_when_the_product_leaves_operation_audited(product, head):
    review = opened(product)
    assert services.reviews_cancel_for(product=leave_operation(product), user=head) == 1
    assert ProductReview.objects.get(pk=review.pk).status == "cancelled"
    entry = AuditEntry.objects.get(action="periodic_review_cancelled", object_id=str(review.pk))
    assert (entry.actor, entry.from_value, entry.to_value) == (head, "preparing", "cancelled")


def test_a_pack_in_front_of_the_reviewers_is_withdrawn_from_the_engine(product, head, reviewers):
    review = submitted(opened(product))
    services.reviews_cancel_for(product=leave_operation(product), user=head)
    review = ProductReview.objects.select_related("gate_review").get(pk=review.pk)
    assert (review.status, review.gate_review.status) == ("cancelled", "withdrawn")
    assert not review.gate_review.steps.filter(status="pending").exists()


def test_a_decided_review_stays_as_it_was(product, head, reviewers):
    from .conftest import decide_all

    review = decide_all(submitted(opened(product)), reviewers, outcome="keep")
    assert services.reviews_cancel_for(product=leave_operation(product), user=head) == 0
    assert ProductReview.objects.get(pk=review.pk).status == "decided"


def test_the_stage_gates_approval_runs_the_cancellation(db):
    assert services.review_cancel_on_stage_move in [fn for _key, fn in hooks(STAGE_GATE, "approved")]


def test_a_cancelled_review_reads_cancelled_on_its_page(client, product, head):
    review = opened(product)
    services.reviews_cancel_for(product=leave_operation(product), user=head)
    client.force_login(head)
    page = client.get(review.get_absolute_url()).content.decode()
    assert 'data-status="cancelled"' in page and "已取消" in page
