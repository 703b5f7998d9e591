"""Real threads against PostgreSQL: the product and plan row locks keep cumulative progress consistent."""
import pytest

from core.audit import audit_verify
from exits import services
from exits.models import ExitProgress, ExitTask
from tests.factories import exit_defaults
from tests.helpers import api, race_values

from .conftest import day

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 10


@pytest.fixture(autouse=True)
def _seed_rows(transactional_db):
    exit_defaults()


def test_concurrent_uploads_never_leave_counts_falling_from_one_day_to_the_next(retiring, owner):
    """Each thread alone would pass: a later day with a low count, an earlier day with a high one. Serialised,
    whichever comes second sees the first and is refused."""
    url = f"/api/v1/products/{retiring.pk}/exit-plan/progress/"

    def send(index):
        migrated = 10 if index % 2 else 90
        offset = 0 if index % 2 else -index - 1
        items = [{"segment": "网点客户", "date": day(offset), "migrated": migrated, "closed": 0}]
        return api(owner).post(url, items, format="json").status_code

    codes = race_values(send, THREADS)
    assert set(codes) <= {200, 400} and 400 in codes
    series = list(ExitProgress.objects.order_by("date").values_list("migrated", flat=True))
    assert series == sorted(series)
    assert audit_verify() is None


def test_concurrent_finishes_of_one_task_record_it_once(retiring, owner):
    task = ExitTask.objects.filter(plan__product=retiring).order_by("id").first()
    url = f"/api/v1/exit-tasks/{task.pk}/"
    codes = race_values(lambda i: api(owner).patch(url, {"status": "done"}, format="json").status_code,
                        THREADS)
    assert sorted(codes) == [200] + [409] * (THREADS - 1)
    from core.models import AuditEntry

    assert AuditEntry.objects.filter(action="exit_task_done").count() == 1
    assert services.exit_blockers(plan=retiring.exit_plan)


def test_concurrent_first_puts_of_a_plan_answer_201_once(product, owner, requirement):
    from exits.models import ExitPlan

    url = f"/api/v1/products/{product.pk}/exit-plan/"
    data = {"reason": "客户持续流失", "evidence": {"requirements": [requirement.pk]}, "successor": None,
            "notice_date": day(0), "close_date": day(30), "segments": [{"name": "网点客户", "customers": 100}]}
    codes = race_values(lambda i: api(owner).put(url, data, format="json").status_code, THREADS)
    assert sorted(codes) == [200] * (THREADS - 1) + [201]
    assert ExitPlan.objects.filter(product=product).count() == 1
