"""Writers that race: two computations of the same period, two people resolving the same alert."""
import pytest

from kpis import services
from kpis.models import Alert, Snapshot
from notifications.models import Notification
from tests.factories import ProductFactory, UserFactory, observe, target
from tests.helpers import race

pytestmark = pytest.mark.django_db(transaction=True)


def red_products(n):
    owner = UserFactory(username="pm_race", role="product_manager")
    for i in range(n):
        product = ProductFactory(code=f"LN-R{i}", owner=owner, category="loan")
        observe(product, "default_rate", "2026-10-05", 2.5)
        target(product, "default_rate", "2026-10-01", 1.5, 1.8, 2.0)
    return owner


def test_two_simultaneous_computations_give_one_snapshot_and_one_alert_per_metric():
    red_products(20)

    def compute():
        return services.kpi_snapshots_compute(period="2026-10", granularity="month")

    results = [outcome.value for outcome in race(compute, compute)]
    assert None not in results
    assert Snapshot.objects.count() == 20
    assert Alert.objects.count() == 20
    assert sum(r.alerts_opened for r in results) == 20
    assert Notification.objects.count() == 20  # one per alert: the losing run notifies nobody twice


def test_two_people_resolving_the_same_alert_one_wins_the_other_gets_a_conflict():
    owner = red_products(1)
    services.kpi_snapshots_compute(period="2026-10", granularity="month")
    head = UserFactory(username="head_race", role="head_of_product")
    alert = Alert.objects.get()

    def resolve_as(user, comment):
        return lambda: services.alert_resolve(user=user, alert=Alert.objects.get(pk=alert.pk), comment=comment)

    outcomes = race(resolve_as(owner, "经理处理"), resolve_as(head, "负责人处理"))
    results = [o.value for o in outcomes if o.error is None]
    assert len(results) == 1
    assert [type(o.error) for o in outcomes if o.error is not None] == [services.StateConflict]
    alert.refresh_from_db()
    assert alert.status == "resolved"
    assert alert.resolution_comment == results[0].resolution_comment
