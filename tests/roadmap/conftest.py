import pytest

from tests.factories import UserFactory, reviewer_for

DEPARTMENTS = ["risk", "compliance", "finance", "legal", "technology", "senior_management"]


@pytest.fixture
def reviewers(db):
    return {code: reviewer_for(code) for code in DEPARTMENTS}


@pytest.fixture
def owner(db):
    return UserFactory(username="rm_owner", role="product_manager", departments=["product"])
