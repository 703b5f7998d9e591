"""Products, deliverables, reviews and their steps are never hard-deleted: not by code, not in the admin."""
import pytest
from django.urls import reverse

from approvals.models import ApprovalStep, GateReview
from core.retention import HardDeleteRefused
from kpis.models import Observation
from lifecycle import services
from lifecycle.models import Deliverable
from products.models import Product
from tests.factories import ProductFactory, UserFactory, complete_deliverables, reviewer_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(db):
    owner = UserFactory(username="owner_keep", role="product_manager")
    product = ProductFactory(owner=owner, category="credit_card", risk_rating="R3")
    reviewer_for("risk")
    complete_deliverables(product)
    return services.gate_review_submit(product=product, user=owner)


@pytest.mark.parametrize("model", [Product, Deliverable, GateReview, ApprovalStep])
def test_a_kept_record_cannot_be_deleted_by_code(review, model):
    with pytest.raises(HardDeleteRefused):
        model.objects.first().delete()
    with pytest.raises(HardDeleteRefused):
        model.objects.all().delete()
    assert model.objects.exists()


def test_the_admin_cannot_delete_a_product_and_its_history(client, admin_user):
    product = ProductFactory(code="DEL-1")
    Observation.objects.create(product=product, metric_id=1, date="2026-10-01", value=1)
    client.force_login(admin_user)
    assert client.get(reverse("admin:products_product_delete", args=[product.pk])).status_code == 403
    response = client.post(reverse("admin:products_product_changelist"),
                           {"action": "delete_selected", "_selected_action": [product.pk], "post": "yes"})
    assert response.status_code in (200, 302)
    assert Product.objects.filter(pk=product.pk).exists() and Observation.objects.filter(product=product).exists()


def test_the_admin_cannot_delete_a_deliverable(client, admin_user, review):
    item = Deliverable.objects.filter(product=review.product).first()
    client.force_login(admin_user)
    assert client.get(reverse("admin:lifecycle_deliverable_delete", args=[item.pk])).status_code == 403
    assert Deliverable.objects.filter(pk=item.pk).exists()


def test_the_admin_cannot_delete_a_review(client, admin_user, review):
    client.force_login(admin_user)
    assert client.get(reverse("admin:approvals_gatereview_delete", args=[review.pk])).status_code == 403
