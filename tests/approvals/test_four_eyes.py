"""Four-eyes cannot be gone round by moving ownership: whoever owned the product since the review was submitted,
and the submitter, never decide it; the owner cannot change while a review is open; owner changes are audited."""
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.test import APIClient

from approvals import services as approval_services
from core.audit import audit_record
from core.models import AuditEntry
from lifecycle import services
from products.choices import ProductAuditAction
from products.models import Product
from tests.factories import ProductFactory, UserFactory, complete_deliverables

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_reviewer(db):
    """An administrator who is also a risk reviewer: the one the attack needs."""
    return UserFactory(username="adm_risk", role="administrator", is_superuser=True, is_staff=True,
                       departments=["risk"])


@pytest.fixture
def head_user(db):
    return UserFactory(username="head_4e", role="head_of_product")


@pytest.fixture
def owned_review(admin_reviewer, head_user, reviewers):
    """The admin owns the product; the head of product submits its gate."""
    product = ProductFactory(owner=admin_reviewer, category="credit_card", risk_rating="R3")
    complete_deliverables(product)
    return services.gate_review_submit(product=product, user=head_user)


def test_the_owner_cannot_change_while_a_review_is_open_over_the_api(owned_review, admin_reviewer, pm):
    client = APIClient()
    client.force_authenticate(admin_reviewer)
    response = client.patch(f"/api/v1/products/{owned_review.product_id}/", {"owner": pm.pk}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "review_pending"
    assert Product.objects.get(pk=owned_review.product_id).owner == admin_reviewer


def test_the_owner_cannot_change_while_a_review_is_open_on_the_page(client, owned_review, head_user, pm):
    product = owned_review.product
    client.force_login(head_user)
    data = {"code": product.code, "name": product.name, "name_en": product.name_en, "category": product.category,
            "owner": pm.pk, "customer_segment": product.customer_segment, "risk_rating": product.risk_rating,
            "sales_channels": list(product.sales_channels.values_list("pk", flat=True)), "interest_rate": "1.5",
            "fee": "0", "description": "", "fee_terms": ""}
    response = client.post(f"/products/{product.pk}/edit/", data)
    assert response.status_code == 409 and "评审结束前不能变更产品负责人" in response.content.decode()
    assert Product.objects.get(pk=product.pk).owner_id == product.owner_id


def test_the_owner_cannot_change_while_a_review_is_open_in_the_admin(client, owned_review, admin_reviewer, pm):
    client.force_login(admin_reviewer)
    response = client.post(reverse("admin:products_product_change", args=[owned_review.product_id]),
                           _admin_data(owned_review.product, owner=pm.pk))
    assert response.status_code == 200 and "评审结束前不能变更产品负责人" in response.content.decode()
    assert Product.objects.get(pk=owned_review.product_id).owner == admin_reviewer


def test_an_owner_change_in_the_admin_is_audited(client, admin_reviewer, pm, other_pm):
    product = ProductFactory(owner=pm)
    client.force_login(admin_reviewer)
    client.post(reverse("admin:products_product_change", args=[product.pk]), _admin_data(product, owner=other_pm.pk))
    entry = AuditEntry.objects.get(action=ProductAuditAction.OWNER_CHANGED, product=product)
    assert (entry.actor, entry.from_value, entry.to_value) == (admin_reviewer, str(pm.pk), str(other_pm.pk))


def test_whoever_owned_the_product_since_submission_cannot_decide(owned_review, admin_reviewer, pm):
    # Ownership moved by a path that skipped the guard (e.g. before it existed): the trail still names him.
    audit_record(action=ProductAuditAction.OWNER_CHANGED, actor=admin_reviewer, product=owned_review.product,
                 obj=owned_review.product, from_value=admin_reviewer.pk, to_value=pm.pk)
    Product.objects.filter(pk=owned_review.product_id).update(owner=pm)
    owned_review.refresh_from_db()
    with pytest.raises(PermissionDenied):
        approval_services.approval_step_decide(review=owned_review, department="risk", user=admin_reviewer,
                                      decision="approve")
    assert admin_reviewer not in approval_services.department_reviewers(review=owned_review, department="risk")


def _admin_data(product, **overrides):
    data = {"code": product.code, "name": product.name, "name_en": product.name_en, "category": product.category,
            "owner": product.owner_id, "customer_segment": product.customer_segment,
            "risk_rating": product.risk_rating, "description": product.description,
            "interest_rate": product.interest_rate or "", "fee": product.fee or "0", "fee_terms": product.fee_terms,
            "expected_yield_min": "", "expected_yield_max": "",
            "sales_channels": list(product.sales_channels.values_list("pk", flat=True))}
    return {**data, **overrides}


# --- segregation of duties ---------------------------------------------------------------------------------------

@pytest.fixture
def everywhere(db):
    """An administrator who put himself in every department."""
    return UserFactory(username="adm_all", role="administrator", is_superuser=True, is_staff=True,
                       departments=["risk", "compliance", "finance", "legal", "technology", "senior_management"])


def test_one_person_decides_at_most_one_step_of_a_review(submitted, everywhere):
    approval_services.approval_step_decide(review=submitted, department="risk", user=everywhere, decision="approve",
                                  comment="同意")
    with pytest.raises(PermissionDenied, match="职责分离"):
        approval_services.approval_step_decide(review=submitted, department="compliance", user=everywhere,
                                      decision="approve", comment="同意")
    assert submitted.steps.filter(decided_by=everywhere).count() == 1


def test_who_already_decided_a_step_is_not_asked_for_another(submitted, everywhere, reviewers):
    approval_services.approval_step_decide(review=submitted, department="risk", user=everywhere, decision="approve")
    assert everywhere not in approval_services.department_reviewers(review=submitted, department="compliance")
    assert reviewers["compliance"] in approval_services.department_reviewers(review=submitted, department="compliance")


def test_the_api_refuses_a_second_step_by_the_same_person_with_403(submitted, everywhere):
    approval_services.approval_step_decide(review=submitted, department="risk", user=everywhere, decision="approve")
    client = APIClient()
    client.force_authenticate(everywhere)
    response = client.post(f"/api/v1/gate-reviews/{submitted.pk}/decisions/",
                           {"department": "compliance", "decision": "approve", "comment": "同意"}, format="json")
    assert response.status_code == 403
