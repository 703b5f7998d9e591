from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from changes.models import TermsVersion
from changes.tasks import activate_terms_versions

pytestmark = pytest.mark.django_db


def test_beat_switches_terms_versions_at_the_start_of_the_day():
    entry = settings.CELERY_BEAT_SCHEDULE["changes-activate-terms-versions"]
    assert entry["task"] == "changes.tasks.activate_terms_versions"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({0}, {1})


def test_task_puts_due_versions_in_force_once(launched):
    TermsVersion.objects.create(product=launched, version=2, effective_from=timezone.localdate(),
                                terms={**launched.terms_versions.get(version=1).terms, "fee": "66"})
    assert activate_terms_versions() == 1
    assert activate_terms_versions() == 0
    launched.refresh_from_db()
    assert launched.fee == Decimal("66.00")
