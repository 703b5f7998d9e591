"""Writers that race on one risk, with real threads on PostgreSQL: the row lock lets one win."""
import threading

import pytest
from django.db import connection

from core.errors import DomainConflict
from core.models import AuditEntry
from risks import services
from risks.models import Risk
from tests.factories import ProductFactory, UserFactory, make_risk, reviewer_for

pytestmark = pytest.mark.django_db(transaction=True)


def run_in_threads(*functions):
    errors, results = [], []
    barrier = threading.Barrier(len(functions))

    def wrapper(function):
        try:
            barrier.wait()
            results.append(function())
        except Exception as error:  # noqa: BLE001 - collected and asserted on by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrapper, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def pending_risk():
    product = ProductFactory(code="LN-RACE", category="loan", owner=UserFactory(username="pm_race"))
    return make_risk(product, likelihood=4, impact=4, residual_likelihood=3, residual_impact=4)


def test_two_executives_accepting_the_same_risk_one_wins_the_other_gets_a_conflict():
    risk = pending_risk()
    first, second = reviewer_for("senior_management", "exec_a"), reviewer_for("senior_management", "exec_b")

    def accept_as(user):
        return lambda: services.risk_accept(user=user, risk=Risk.objects.get(pk=risk.pk), comment=user.username)

    results, errors = run_in_threads(accept_as(first), accept_as(second))
    assert len(results) == 1 and [type(e) for e in errors] == [DomainConflict]
    assert Risk.objects.get(pk=risk.pk).acceptance_comment == results[0].acceptance_comment
    assert AuditEntry.objects.filter(action="risk_accepted").count() == 1


def test_closing_while_accepting_leaves_one_consistent_outcome():
    risk = pending_risk()
    executive = reviewer_for("senior_management", "exec_c")
    owner = risk.product.owner
    results, errors = run_in_threads(
        lambda: services.risk_accept(user=executive, risk=Risk.objects.get(pk=risk.pk), comment="同意"),
        lambda: services.risk_close(user=owner, risk=Risk.objects.get(pk=risk.pk), reason="停办"))
    final = Risk.objects.get(pk=risk.pk)
    assert final.status == "closed" and len(results) in (1, 2)
    assert all(isinstance(e, DomainConflict) for e in errors)


def test_twenty_executives_accepting_the_same_risk_at_once_accept_it_exactly_once():
    risk = pending_risk()
    executives = [reviewer_for("senior_management", f"exec_{n:02}") for n in range(20)]

    def accept_as(user):
        return lambda: services.risk_accept(user=user, risk=Risk.objects.get(pk=risk.pk), comment=user.username)

    results, errors = run_in_threads(*(accept_as(user) for user in executives))
    assert len(results) == 1 and len(errors) == 19 and all(isinstance(e, DomainConflict) for e in errors)
    assert AuditEntry.objects.filter(action="risk_accepted").count() == 1
    assert AuditEntry.objects.filter(action="step_approved").count() == 1
