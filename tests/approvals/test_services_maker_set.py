"""The one maker set: whoever shaped what a review approves never decides it. Makers are the submitter, every owner
since the product's last approved review, and everyone who edited the product or ticked/waived its deliverables
since then (read from the audit trail)."""
import pytest
from django.core.exceptions import PermissionDenied

from approvals import services as approval_services
from approvals.engine import maker_set
from approvals.models import ApprovalStep
from lifecycle import services
from lifecycle.models import Deliverable
from products.models import Product
from products.services import product_update
from tests.factories import UserFactory, advance_to, complete_deliverables

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_risk(db):
    """An administrator who is also a risk reviewer: the one the attack needs."""
    return UserFactory(username="adm_shaper", role="administrator", is_superuser=True, is_staff=True,
                       departments=["risk"])


@pytest.fixture
def in_development(product, reviewers):
    """A credit card whose planning gate was approved: the cutoff of the maker set."""
    return advance_to(product, "development", reviewers)


def _shaped_and_handed_back(product, owner, admin_risk):
    """The attack: the admin makes himself owner, edits the rate, ticks every deliverable, hands it back."""
    product_update(user=admin_risk, product=product, data={"owner": admin_risk})
    product_update(user=admin_risk, product=Product.objects.get(pk=product.pk), data={"interest_rate": "0.5"})
    complete_deliverables(Product.objects.get(pk=product.pk), user=admin_risk)
    product_update(user=admin_risk, product=Product.objects.get(pk=product.pk), data={"owner": owner})
    return services.gate_review_submit(product=Product.objects.get(pk=product.pk), user=owner)


def test_an_admin_who_owned_edited_and_ticked_then_handed_back_cannot_decide(in_development, owner, admin_risk):
    review = _shaped_and_handed_back(in_development, owner, admin_risk)
    with pytest.raises(PermissionDenied):
        approval_services.approval_step_decide(review=review, department="risk", user=admin_risk, decision="approve",
                                      comment="同意")
    assert ApprovalStep.objects.get(review=review, department="risk").status == "pending"
    assert admin_risk not in approval_services.department_reviewers(review=review, department="risk")


def test_whoever_only_ticked_a_deliverable_is_a_maker(in_development, owner, admin_risk):
    item = Deliverable.objects.filter(product=in_development, stage="development").first()
    services.deliverable_update(user=admin_risk, deliverable=item, status="done")
    complete_deliverables(Product.objects.get(pk=in_development.pk))
    review = services.gate_review_submit(product=Product.objects.get(pk=in_development.pk), user=owner)
    assert admin_risk.pk in maker_set(review=review)


def test_whoever_only_edited_the_product_is_a_maker(in_development, owner, admin_risk):
    product_update(user=admin_risk, product=in_development, data={"interest_rate": "0.5"})
    complete_deliverables(Product.objects.get(pk=in_development.pk))
    review = services.gate_review_submit(product=Product.objects.get(pk=in_development.pk), user=owner)
    with pytest.raises(PermissionDenied):
        approval_services.approval_step_decide(review=review, department="risk", user=admin_risk, decision="approve")


def test_an_owner_before_the_last_approved_review_may_decide(owner, reviewers, admin_risk, head):
    from tests.factories import ProductFactory

    product = ProductFactory(owner=admin_risk, category="credit_card", risk_rating="R3")
    product_update(user=head, product=product, data={"owner": owner})
    advance_to(Product.objects.get(pk=product.pk), "development", reviewers)
    complete_deliverables(Product.objects.get(pk=product.pk))
    review = services.gate_review_submit(product=Product.objects.get(pk=product.pk), user=owner)
    step = approval_services.approval_step_decide(review=review, department="risk", user=admin_risk, decision="approve")
    assert step.decided_by == admin_risk


def test_the_maker_set_is_read_in_a_constant_number_of_queries(in_development, owner, admin_risk,
                                                                django_assert_max_num_queries):
    review = _shaped_and_handed_back(in_development, owner, admin_risk)
    review = type(review).objects.select_related("product").get(pk=review.pk)
    with django_assert_max_num_queries(2):
        makers = maker_set(review=review)
    assert {owner.pk, admin_risk.pk} <= makers
