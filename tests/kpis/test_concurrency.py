"""Writers that race: two computations of the same period, two people resolving the same alert."""
import threading

import pytest
from django.db import connection

from kpis import services
from kpis.models import Alert, Snapshot
from notifications.models import Notification
from tests.factories import ProductFactory, UserFactory

from .helpers import observe, target
from .reseed import reseed_after_module, reseeded  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("reseed_after_module")


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


def red_products(n):
    owner = UserFactory(username="pm_race", role="product_manager")
    for i in range(n):
        product = ProductFactory(code=f"LN-R{i}", owner=owner, category="loan")
        observe(product, "default_rate", "2026-10-05", 2.5)
        target(product, "default_rate", "2026-10-01", 1.5, 1.8, 2.0)
    return owner


def test_two_simultaneous_computations_give_one_snapshot_and_one_alert_per_metric(reseeded):  # noqa: F811
    red_products(20)

    def compute():
        return services.kpi_snapshots_compute(period="2026-10", granularity="month")

    results, errors = run_in_threads(compute, compute)
    assert errors == []
    assert Snapshot.objects.count() == 20
    assert Alert.objects.count() == 20
    assert sum(r.alerts_opened for r in results) == 20
    assert Notification.objects.count() == 20  # one per alert: the losing run notifies nobody twice


def test_two_people_resolving_the_same_alert_one_wins_the_other_gets_a_conflict(reseeded):  # noqa: F811
    owner = red_products(1)
    services.kpi_snapshots_compute(period="2026-10", granularity="month")
    head = UserFactory(username="head_race", role="head_of_product")
    alert = Alert.objects.get()

    def resolve_as(user, comment):
        return lambda: services.alert_resolve(user=user, alert=Alert.objects.get(pk=alert.pk), comment=comment)

    results, errors = run_in_threads(resolve_as(owner, "经理处理"), resolve_as(head, "负责人处理"))
    assert len(results) == 1
    assert [type(e) for e in errors] == [services.StateConflict]
    alert.refresh_from_db()
    assert alert.status == "resolved"
    assert alert.resolution_comment == results[0].resolution_comment
