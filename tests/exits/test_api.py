"""The exit runbook's API contract: paths, fields, status codes, per-field and per-index 400s, the role matrix."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from exits import services
from exits.models import ExitPlan, ExitProgress, ExitTask
from tests.factories import ProductFactory, UserFactory

from .conftest import TODAY, day

pytestmark = pytest.mark.django_db


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def plan_url(product):
    return f"/api/v1/products/{product.pk}/exit-plan/"


def body(requirement, **overrides):
    data = {"reason": "客户持续流失", "evidence": {"requirements": [requirement.pk]}, "successor": None,
            "notice_date": TODAY.isoformat(), "close_date": day(30),
            "segments": [{"name": "网点客户", "customers": 100}, {"name": "手机银行客户", "customers": 50}]}
    data.update(overrides)
    return data


def test_get_without_a_plan_is_404(product, owner):
    assert api(owner).get(plan_url(product)).status_code == 404


def test_put_creates_the_plan_201_then_replaces_it_200(product, owner, requirement, successor):
    response = api(owner).put(plan_url(product), body(requirement, successor="DEP-NEXT"), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert {k: data[k] for k in ("reason", "successor", "notice_date", "close_date", "notice_days")} == {
        "reason": "客户持续流失", "successor": "DEP-NEXT", "notice_date": TODAY.isoformat(), "close_date": day(30),
        "notice_days": 30}
    assert data["evidence"] == {"snapshots": [], "alerts": [], "requirements": [requirement.pk]}
    assert data["evidence_items"][0]["label"] == requirement.title
    response = api(owner).put(plan_url(product), body(requirement, reason="新原因"), format="json")
    assert response.status_code == 200
    assert response.json()["successor"] is None
    assert ExitPlan.objects.count() == 1


def test_get_returns_segments_and_totals_with_remaining_and_migrated_pct(retiring, owner):
    services.exit_progress_record(user=owner, product=retiring, items=[
        {"segment": "网点客户", "date": day(0), "migrated": 30, "closed": 10}])
    data = api(owner).get(plan_url(retiring)).json()
    assert data["segments"][0] == {"name": "网点客户", "customers": 100, "migrated": 30, "closed": 10,
                                   "remaining": 60, "migrated_pct": 30.0}
    assert data["totals"] == {"customers": 150, "migrated": 30, "closed": 10, "remaining": 110,
                              "migrated_pct": 20.0}
    assert len(data["tasks"]) == 6
    assert set(data["tasks"][0]) >= {"id", "title", "owner", "due_date", "status", "reason"}
    assert any("网点客户" in b for b in data["blockers"])


@pytest.mark.parametrize(("override", "field"), [
    ({"successor": "NOPE-9"}, "successor"),
    ({"close_date": TODAY.isoformat()}, "close_date"),
    ({"segments": [{"name": "A", "customers": 1}, {"name": "A", "customers": 2}]}, "segments"),
    ({"segments": [{"name": "A", "customers": -1}]}, "segments"),
    ({"segments": [{"name": "A", "customers": 1.5}]}, "segments"),
    ({"segments": [{"name": "A", "customers": "many"}]}, "segments"),
    ({"notice_date": "yesterday"}, "notice_date"),
    ({"evidence": {"requirements": [999999]}}, "evidence"),
    ({"evidence": {"kpis": [1]}}, "evidence"),
    ({"colour": "red"}, "colour"),
])
def test_bad_plan_is_400_naming_the_field_and_changes_nothing(product, owner, requirement, override, field):
    response = api(owner).put(plan_url(product), body(requirement, **override), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not ExitPlan.objects.exists()


def test_plan_of_a_product_in_planning_is_409(owner, requirement):
    product = ProductFactory(owner=owner)
    response = api(owner).put(plan_url(product), body(requirement), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "exit_plan_not_editable"


def test_progress_post_upserts_and_reports_counts(retiring, owner):
    url = f"{plan_url(retiring)}progress/"
    items = [{"segment": "网点客户", "date": day(0), "migrated": 5, "closed": 0}]
    assert api(owner).post(url, items, format="json").json() == {"received": 1, "created": 1, "replaced": 0,
                                                                 "dry_run": False}
    items[0]["migrated"] = 6
    assert api(owner).post(url, items, format="json").json()["replaced"] == 1
    assert ExitProgress.objects.get().migrated == 6


def test_progress_errors_are_400_per_index(retiring, owner):
    items = [{"segment": "网点客户", "date": day(0), "migrated": 5, "closed": 0},
             {"segment": "nope", "date": day(0), "migrated": 1, "closed": 0}]
    response = api(owner).post(f"{plan_url(retiring)}progress/", items, format="json")
    assert response.status_code == 400
    # The core's one bulk shape: {"errors": [{"index", "errors"}]}, only the bad items.
    errors = response.json()["errors"]
    assert [item["index"] for item in errors] == [1]
    assert "segment" in errors[0]["errors"]
    assert not ExitProgress.objects.exists()


def test_progress_dry_run_writes_nothing(retiring, owner):
    items = [{"segment": "网点客户", "date": day(0), "migrated": 5, "closed": 0}]
    response = api(owner).post(f"{plan_url(retiring)}progress/?dry_run=true", items, format="json")
    assert response.json()["dry_run"] is True
    assert not ExitProgress.objects.exists()


def test_progress_dry_run_that_is_no_boolean_is_a_400_and_writes_nothing(retiring, owner):
    items = [{"segment": "网点客户", "date": day(0), "migrated": 5, "closed": 0}]
    response = api(owner).post(f"{plan_url(retiring)}progress/?dry_run=null", items, format="json")
    assert response.status_code == 400 and "dry_run" in response.json()
    assert not ExitProgress.objects.exists()


def test_progress_body_that_is_not_a_list_is_400(retiring, owner):
    response = api(owner).post(f"{plan_url(retiring)}progress/", {"segment": "网点客户"}, format="json")
    assert response.status_code == 400


def task_url(retiring, code):
    return f"/api/v1/exit-tasks/{ExitTask.objects.get(plan__product=retiring, template__code=code).pk}/"


def test_patch_task_done(retiring, owner):
    response = api(owner).patch(task_url(retiring, "close_accounts"), {"status": "done"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "done"


def test_patch_task_waived_without_reason_is_400(retiring, owner):
    response = api(owner).patch(task_url(retiring, "close_accounts"), {"status": "waived"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()


def test_patch_task_with_another_status_is_400(retiring, owner):
    response = api(owner).patch(task_url(retiring, "close_accounts"), {"status": "open"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()


def test_patch_finished_task_is_409(retiring, owner):
    url = task_url(retiring, "close_accounts")
    api(owner).patch(url, {"status": "done"}, format="json")
    response = api(owner).patch(url, {"status": "waived", "reason": "x"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "exit_task_closed"


def test_put_on_a_task_is_not_allowed(retiring, owner):
    assert api(owner).put(task_url(retiring, "close_accounts"), {"status": "done"}, format="json").status_code == 405


ROLE_MATRIX = [
    # role, read plan, write another's plan, send another's progress, finish another's task
    ("product_manager", 200, 403, 403, 403),
    ("reviewer", 200, 403, 403, 403),
    ("senior_management", 200, 403, 403, 403),
    ("head_of_product", 200, 200, 200, 200),
    ("administrator", 200, 200, 200, 200),
]


@pytest.mark.parametrize(("role", "read", "write", "progress", "task"), ROLE_MATRIX)
def test_api_permission_matrix(retiring, requirement, role, read, write, progress, task):
    user = UserFactory(role=role, username=f"exit_{role}", is_superuser=role == "administrator")
    client = api(user)
    assert client.get(plan_url(retiring)).status_code == read
    assert client.put(plan_url(retiring), body(requirement), format="json").status_code == write
    items = [{"segment": "网点客户", "date": day(0), "migrated": 1, "closed": 0}]
    assert client.post(f"{plan_url(retiring)}progress/", items, format="json").status_code == progress
    assert client.patch(task_url(retiring, "close_accounts"), {"status": "done"},
                        format="json").status_code == task


def test_anonymous_is_401(retiring):
    assert api().get(plan_url(retiring)).status_code == 401


def test_plan_read_costs_the_same_queries_with_more_segments_and_progress(retiring, owner, requirement):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api(owner).get(plan_url(retiring)).status_code == 200
        return len(queries)

    before = count()
    segments = [{"name": f"客群{i}", "customers": 10} for i in range(8)] + [
        {"name": "网点客户", "customers": 100}, {"name": "手机银行客户", "customers": 50}]
    services.exit_plan_save(user=owner, product=retiring, data=services.PlanInput(
        reason="x", notice_date=TODAY, close_date=TODAY.replace(year=TODAY.year + 1), segments=segments,
        evidence={"requirements": [requirement.pk]}))
    services.exit_progress_record(user=owner, product=retiring, items=[
        {"segment": f"客群{i}", "date": day(-d), "migrated": 5 - d, "closed": 0} for i in range(8) for d in range(3)])
    assert count() == before


def test_options_describes_the_plan_endpoint_with_or_without_a_plan(product, owner):
    assert api(owner).options(plan_url(product)).status_code == 200
    assert api(owner).options("/api/v1/products/0/exit-plan/").status_code == 200
