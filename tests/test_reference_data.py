"""After a flush, reseed() puts back the reference rows migrate seeded (tests/reference_data.py)."""
import pytest
from django.core.management import call_command

from tests.reference_data import MIGRATED, reference_rows, reseed


@pytest.mark.django_db(transaction=True)
def test_after_a_flush_reseed_puts_back_what_migrate_left():
    # MIGRATED is recorded at the start of the session, so this needs a fresh test database (not --reuse-db).
    assert {"kpis_metric", "accounts_department", "lifecycle_gatepolicy"} <= set(MIGRATED)
    call_command("flush", interactive=False, verbosity=0)  # as every transactional test's teardown does
    reseed()
    assert reference_rows() == MIGRATED
