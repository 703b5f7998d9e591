"""The requirement state machine (every transition, allowed and refused) and the RICE score."""
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from requirements import services
from requirements.models import Requirement
from tests.factories import ProductVersionFactory, RequirementFactory

pytestmark = pytest.mark.django_db

ALL = ["analyse", "confirm", "schedule", "start_development", "deliver", "reject", "defer"]
# status -> transitions the state machine allows from it (with a target version set)
ALLOWED = {
    "new": {"analyse", "reject", "defer"},
    "analysing": {"confirm", "reject", "defer"},
    "confirmed": {"schedule", "reject", "defer"},
    "scheduled": {"start_development"},
    "in_development": {"deliver"},
    "delivered": set(),
    "rejected": set(),
    "deferred": {"analyse"},
}
TARGET = {"analyse": "analysing", "confirm": "confirmed", "schedule": "scheduled",
          "start_development": "in_development", "deliver": "delivered", "reject": "rejected", "defer": "deferred"}
CASES = [(status, name) for status in ALLOWED for name in ALL]


def make(status, *, with_version=True):
    version = ProductVersionFactory()
    return RequirementFactory(product=version.product, status=status,
                              target_version=version if with_version else None)


@pytest.mark.parametrize(("status", "name"), [c for c in CASES if c[1] in ALLOWED[c[0]]])
def test_allowed_transition_moves_to_its_target(status, name):
    requirement = make(status)
    result = services.requirement_transition(
        user=requirement.product.owner, requirement=requirement, transition=name, reason="理由"
    )
    assert result.status == TARGET[name]
    assert Requirement.objects.get(pk=requirement.pk).status == TARGET[name]


@pytest.mark.parametrize(("status", "name"), [c for c in CASES if c[1] not in ALLOWED[c[0]]])
def test_refused_transition_raises_and_changes_nothing(status, name):
    requirement = make(status)
    with pytest.raises(services.TransitionRefused):
        services.requirement_transition(user=requirement.product.owner, requirement=requirement, transition=name,
                                        reason="理由")
    assert Requirement.objects.get(pk=requirement.pk).status == status


def test_schedule_without_target_version_is_refused_with_version_reason():
    requirement = make("confirmed", with_version=False)
    with pytest.raises(services.TransitionRefused) as error:
        services.requirement_transition(user=requirement.product.owner, requirement=requirement,
                                        transition="schedule")
    assert error.value.code == "version_required"
    assert "目标版本" in error.value.message


@pytest.mark.parametrize("name", ["reject", "defer"])
def test_reject_and_defer_need_a_reason(name):
    requirement = make("analysing")
    with pytest.raises(ValidationError) as error:
        services.requirement_transition(user=requirement.product.owner, requirement=requirement, transition=name)
    assert "reason" in error.value.message_dict
    assert Requirement.objects.get(pk=requirement.pk).status == "analysing"


def test_reject_keeps_the_reason():
    requirement = make("new")
    services.requirement_transition(user=requirement.product.owner, requirement=requirement, transition="reject",
                                    reason="与监管要求冲突")
    assert Requirement.objects.get(pk=requirement.pk).status_reason == "与监管要求冲突"


def test_deliver_stamps_delivered_at():
    requirement = make("in_development")
    services.requirement_transition(user=requirement.product.owner, requirement=requirement, transition="deliver")
    assert Requirement.objects.get(pk=requirement.pk).delivered_at is not None


def test_unknown_transition_name_is_a_validation_error():
    requirement = make("new")
    with pytest.raises(ValidationError) as error:
        services.requirement_transition(user=requirement.product.owner, requirement=requirement, transition="fly")
    assert "transition" in error.value.message_dict


def test_rice_score_is_reach_times_impact_times_confidence_over_effort():
    requirement = RequirementFactory(reach=2000, impact=Decimal("2.00"), confidence=50, effort=Decimal("4.0"))
    requirement.refresh_from_db()
    assert requirement.rice_score == Decimal("500.00")  # 2000 × 2 × 0.5 ÷ 4


def test_rice_score_follows_an_edit_of_its_inputs():
    requirement = RequirementFactory(reach=100, impact=Decimal("1.00"), confidence=100, effort=Decimal("1.0"))
    services.requirement_update(user=requirement.product.owner, requirement=requirement,
                                data={"reach": 300, "effort": Decimal("2.0")})
    requirement.refresh_from_db()
    assert requirement.rice_score == Decimal("150.00")


def test_rice_score_cannot_be_typed_in():
    requirement = RequirementFactory(reach=100, impact=Decimal("1.00"), confidence=100, effort=Decimal("1.0"))
    services.requirement_update(user=requirement.product.owner, requirement=requirement,
                                data={"rice_score": Decimal("99999")})
    requirement.refresh_from_db()
    assert requirement.rice_score == Decimal("100.00")


def test_target_version_of_another_product_is_refused():
    requirement = RequirementFactory()
    other = ProductVersionFactory()
    with pytest.raises(ValidationError) as error:
        services.requirement_update(user=requirement.product.owner, requirement=requirement,
                                    data={"target_version": other})
    assert "target_version" in error.value.message_dict


def test_effort_below_minimum_is_refused_naming_the_field():
    requirement = RequirementFactory()
    with pytest.raises(ValidationError) as error:
        services.requirement_update(user=requirement.product.owner, requirement=requirement,
                                    data={"effort": Decimal("0")})
    assert "effort" in error.value.message_dict
