"""Recorded verification runs: the command and the nightly task record one; a break notifies administrators."""
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core.audit import audit_record
from core.models import AuditImmutable, AuditVerification
from core.tasks import verify_audit_chain
from core.verification import audit_verification_run
from notifications.models import Notification
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def tamper(entry):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only")
        cursor.execute("UPDATE core_auditentry SET comment = 'altered' WHERE id = %s", [entry.pk])
        cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only")


@pytest.fixture
def chain():
    product = ProductFactory()
    return [audit_record(action="product_updated", product=product, obj=product) for _ in range(3)]


def test_the_command_records_an_intact_run(chain):
    call_command("verify_audit")
    run = AuditVerification.objects.get()
    assert (run.intact, run.entries_checked, run.first_broken) == (True, 3, None)


def test_the_command_records_a_broken_run_with_the_first_broken_entry(chain):
    tamper(chain[1])
    with pytest.raises(CommandError, match=f"#{chain[1].pk}"):
        call_command("verify_audit")
    run = AuditVerification.objects.get()
    assert (run.intact, run.entries_checked, run.first_broken_id) == (False, 2, chain[1].pk)


def test_a_break_found_by_the_nightly_task_notifies_the_administrators(chain, admin_user):
    UserFactory(username="plain_pm", role="product_manager")
    tamper(chain[0])
    assert verify_audit_chain() == {"intact": False, "entries_checked": 1}
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == [admin_user.username]


def test_an_intact_nightly_run_notifies_nobody(chain, admin_user):
    verify_audit_chain()
    assert not Notification.objects.exists()


def test_verification_runs_are_append_only(chain):
    run = audit_verification_run()
    with pytest.raises(AuditImmutable):
        run.save()
    with pytest.raises(AuditImmutable):
        AuditVerification.objects.all().delete()


def test_the_nightly_task_is_scheduled(settings):
    assert any(e["task"] == "core.tasks.verify_audit_chain" for e in settings.CELERY_BEAT_SCHEDULE.values())
