"""Two people moving the same card at the same moment: exactly one transition wins."""
import threading

import pytest
from django.db import connection

from requirements import services
from requirements.models import Requirement
from tests.factories import ProductFactory, RequirementFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_of_one_requirement_let_exactly_one_win():
    owner = UserFactory(username="pm_race")
    requirement = RequirementFactory(product=ProductFactory(owner=owner))
    barrier = threading.Barrier(2)
    outcomes = []

    def move(transition):
        try:
            stale = Requirement.objects.get(pk=requirement.pk)  # both read `new` before either writes
            barrier.wait()
            services.requirement_transition(user=owner, requirement=stale, transition=transition, reason="并发测试")
            outcomes.append(("ok", transition))
        except services.TransitionRefused:
            outcomes.append(("refused", transition))
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=("analyse",)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(result for result, _ in outcomes) == ["ok", "refused"]
    final = Requirement.objects.get(pk=requirement.pk)
    assert final.status == "analysing"
    assert final.history.count() == 2  # the creation and the one transition that won
