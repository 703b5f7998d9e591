"""Real threads on PostgreSQL: twenty people completing one condition record it done once."""
import datetime as dt

import pytest
from django.utils import timezone

from approvals import services as approval_services
from approvals.models import Condition
from core.audit import audit_verify
from core.models import AuditEntry
from tests.factories import UserFactory
from tests.helpers import api, race_values

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 20


def test_twenty_threads_completing_one_condition_record_it_once(submitted, reviewers, owner):
    approval_services.approval_step_decide(review=submitted, department="risk", user=reviewers["risk"],
                                           decision="approve",
                                  conditions=[{"action": "补充报告", "owner": owner.pk,
                                               "due": (timezone.localdate() + dt.timedelta(days=9)).isoformat()}])
    condition = Condition.objects.get()
    head = UserFactory(username="head_cond", role="head_of_product")
    url = f"/api/v1/conditions/{condition.pk}/done/"
    codes = race_values(lambda i: api(owner if i % 2 else head).post(url, {"comment": f"第 {i} 份"},
                                                                      format="json").status_code, THREADS)
    assert sorted(codes) == [200] + [409] * (THREADS - 1)
    assert AuditEntry.objects.filter(action="condition_done").count() == 1
    assert audit_verify() is None
