from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.factories import ProductFactory


def test_direct_assignment_of_the_stage_is_refused(db):
    product = ProductFactory()
    with pytest.raises(AttributeError):
        product.stage = "operation"


def test_transition_moves_the_stage_along_the_lifecycle(db):
    product = ProductFactory()
    product.start_development()
    product.save()
    product.refresh_from_db()
    assert product.stage == "development"


def test_yield_range_is_refused_for_categories_without_one(db):
    product = ProductFactory.build(category="loan", expected_yield_min=Decimal("1"), expected_yield_max=Decimal("2"))
    with pytest.raises(ValidationError) as error:
        product.full_clean()
    assert set(error.value.message_dict) >= {"expected_yield_min", "expected_yield_max"}


def test_yield_minimum_above_maximum_is_refused(db):
    product = ProductFactory.build(category="wealth", expected_yield_min=Decimal("5"), expected_yield_max=Decimal("2"))
    with pytest.raises(ValidationError) as error:
        product.full_clean()
    assert "expected_yield_max" in error.value.message_dict


@pytest.mark.parametrize("field", ["interest_rate", "fee", "expected_yield_min"])
def test_negative_pricing_is_refused(db, field):
    product = ProductFactory.build(category="wealth", **{field: Decimal("-0.01")})
    with pytest.raises(ValidationError) as error:
        product.full_clean()
    assert field in error.value.message_dict


@pytest.mark.parametrize("code", ["lowercase", "A", "WITH SPACE", "X" * 33])
def test_malformed_codes_are_refused(db, code):
    with pytest.raises(ValidationError) as error:
        ProductFactory.build(code=code).full_clean()
    assert "code" in error.value.message_dict


def test_reviewer_cannot_own_a_product(db, reviewer):
    with pytest.raises(ValidationError) as error:
        ProductFactory.build(owner=reviewer).full_clean()
    assert "owner" in error.value.message_dict


def test_valid_wealth_product_passes_validation(pm):
    product = ProductFactory.build(
        owner=pm, category="wealth", expected_yield_min=Decimal("2"), expected_yield_max=Decimal("2")
    )
    product.full_clean()
