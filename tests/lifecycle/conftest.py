"""Lifecycle fixtures: an owner, their credit card, one reviewer per department, and a submitted gate review."""
import pytest

from lifecycle import services
from tests.factories import ProductFactory, advance_to, complete_deliverables


@pytest.fixture
def product(owner):
    return ProductFactory(owner=owner, category="credit_card", risk_rating="R3")


@pytest.fixture
def submitted(product, owner, reviewers):
    """A development -> marketing review of a credit card (risk, compliance, finance, technology, senior)."""
    advance_to(product, "development", reviewers)
    complete_deliverables(product)
    return services.gate_review_submit(product=product, user=owner)
