"""Catalogue and history exports answer in a number of queries that does not depend on their rows."""
import pytest
from django.urls import reverse

from approvals import services as approval_services
from lifecycle import services
from tests.factories import ProductFactory, UserFactory, complete_deliverables, reviewer_for
from tests.helpers import assert_constant_queries, login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_catalogue_exports_do_not_grow_with_products(client, pm, fmt):
    ProductFactory(owner=pm)
    assert_constant_queries(login(client, pm), f"/products/?export={fmt}", lambda: [
        ProductFactory(owner=UserFactory(username=f"own{i}"), sales_channels=["branch", "online_banking"])
        for i in range(12)])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_history_exports_do_not_grow_with_entries(client, pm, fmt):
    product = ProductFactory(owner=pm)
    complete_deliverables(product)

    def grow():
        review = services.gate_review_submit(product=product, user=pm)
        for department in ("risk", "compliance"):
            approval_services.approval_step_decide(review=review, department=department, user=reviewer_for(department),
                                          decision="approve", comment="同意")

    url = reverse("lifecycle:product_history", args=[product.pk]) + f"?export={fmt}"
    assert_constant_queries(login(client, pm), url, grow)
