"""Two people moving the same card at the same moment: exactly one transition wins."""
import pytest

from requirements import services
from requirements.models import Requirement
from tests.factories import ProductFactory, RequirementFactory, UserFactory
from tests.helpers import race


@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_of_one_requirement_let_exactly_one_win():
    owner = UserFactory(username="pm_race")
    requirement = RequirementFactory(product=ProductFactory(owner=owner))
    stale = [Requirement.objects.get(pk=requirement.pk) for _ in range(2)]  # both read `new` before either writes

    def move(copy):
        return lambda: services.requirement_transition(user=owner, requirement=copy, transition="analyse",
                                                       reason="并发测试")

    outcomes = race(*(move(copy) for copy in stale))
    assert sorted(type(o.error).__name__ for o in outcomes) == ["NoneType", "TransitionRefused"]
    final = Requirement.objects.get(pk=requirement.pk)
    assert final.status == "analysing"
    assert final.history.count() == 2  # the creation and the one transition that won
