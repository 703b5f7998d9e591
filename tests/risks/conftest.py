import pytest

from tests.factories import ProductFactory, reviewer_for


@pytest.fixture
def loan(owner):
    return ProductFactory(code="LN-R", owner=owner, category="loan", risk_rating="R3")


@pytest.fixture
def executive(db):
    return reviewer_for("senior_management", username="exec_r")


@pytest.fixture
def risk_officer(db):
    return reviewer_for("risk", username="risk_r")


@pytest.fixture
def compliance_officer(db):
    return reviewer_for("compliance", username="compliance_r")
