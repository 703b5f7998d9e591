import pytest
from django.core.management import call_command

from accounts.models import User
from approvals.models import GateReview
from approvals.selectors import steps_waiting_for
from core.audit import audit_verify
from core.models import AuditEntry
from lifecycle.models import Deliverable

pytestmark = pytest.mark.django_db


def seed():
    call_command("seed_demo", stdout=open("/dev/null", "w"))


def test_demo_opens_reviews_in_queues_with_an_overdue_step_and_is_idempotent(demo_data):
    counts = (GateReview.objects.count(), Deliverable.objects.count(), AuditEntry.objects.count())
    seed()
    assert (GateReview.objects.count(), Deliverable.objects.count(), AuditEntry.objects.count()) == counts
    risk_queue = steps_waiting_for(user=User.objects.get(username="risk1"))
    # WM-002: the periodic review the reviews demo leaves with risk and compliance.
    assert {s.review.product.code for s in risk_queue} == {"CC-004", "LN-004", "WM-002"}
    finance_queue = list(steps_waiting_for(user=User.objects.get(username="finance1")))
    assert finance_queue[0].review.product.code == "LN-004" and finance_queue[0].overdue
    assert Deliverable.objects.filter(status="done").exists() and Deliverable.objects.filter(status="open").exists()
    assert audit_verify() is None
