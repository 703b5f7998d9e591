"""Lifecycle fixtures: an owner, their credit card, one reviewer per department, and a submitted gate review."""
import pytest

from lifecycle import services
from tests.factories import ProductFactory, UserFactory, advance_to, complete_deliverables, reviewer_for


@pytest.fixture
def reviewers(db):
    """One reviewer per reviewing department, keyed by department code."""
    codes = ["risk", "compliance", "finance", "legal", "technology", "senior_management"]
    return {code: reviewer_for(code) for code in codes}


@pytest.fixture
def owner(db):
    return UserFactory(username="owner_pm", role="product_manager", departments=["product"])


@pytest.fixture
def product(owner):
    return ProductFactory(owner=owner, category="credit_card", risk_rating="R3")


@pytest.fixture
def submitted(product, owner, reviewers):
    """A development -> marketing review of a credit card (risk, compliance, finance, technology, senior)."""
    advance_to(product, "development", reviewers)
    complete_deliverables(product)
    return services.gate_review_submit(product=product, user=owner)
