"""reports.subscriptions: who receives the packs changes only by an administrator, audited."""
import pytest
from django.core.exceptions import PermissionDenied

from core.models import AuditEntry
from reports.models import PackSubscription
from reports.subscriptions import pack_subscription_delete, pack_subscription_save
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_administrator_adds_a_subscription_audited():
    admin, reader = UserFactory(role="administrator"), UserFactory()
    row = pack_subscription_save(user=admin, subscription=PackSubscription(kind="month", language="en", user=reader))
    entry = AuditEntry.objects.get(action="pack_subscription_saved")
    assert (entry.actor, entry.object_id) == (admin, str(row.pk))
    assert {c["field"] for c in entry.changes} == {"kind", "language", "user"}


def test_a_deleted_subscription_is_audited():
    admin = UserFactory(role="administrator")
    row = PackSubscription.objects.create(kind="quarter", language="zh-hans", user=UserFactory())
    pack_subscription_delete(user=admin, subscription=row)
    assert not PackSubscription.objects.exists()
    assert AuditEntry.objects.filter(action="pack_subscription_deleted", actor=admin).count() == 1


def test_anyone_else_is_refused_and_nothing_changes():
    with pytest.raises(PermissionDenied):
        pack_subscription_save(user=UserFactory(role="head_of_product"),
                               subscription=PackSubscription(kind="month", language="en", user=UserFactory()))
    assert not PackSubscription.objects.exists() and not AuditEntry.objects.exists()
