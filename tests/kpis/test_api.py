"""Snapshots, compute, tasks, alerts and scorecards over the API, with permission matrices and query counts."""
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis import services
from kpis.models import Alert, Snapshot
from tests.factories import ProductFactory, live_products, observe, target
from tests.helpers import api, assert_constant_queries

pytestmark = pytest.mark.django_db


def compute(period="2026-10", granularity="month"):
    services.kpi_snapshots_compute(period=period, granularity=granularity)


def seed_products(n, owner):
    for i in range(n):
        product = ProductFactory(code=f"P-{n}-{i}", owner=owner, category="loan")
        observe(product, "revenue", "2026-10-05", 10 + i)
        observe(product, "default_rate", "2026-10-05", 2.5)
        target(product, "default_rate", "2026-10-01", 1.5, 1.8, 2.0)


def test_snapshots_are_filtered_by_product_period_granularity_and_metric(pm):
    seed_products(2, pm)
    compute()
    response = api(pm).get("/api/v1/kpi-snapshots/", {"product": "P-2-1", "period": "2026-10",
                                                             "granularity": "month", "metric": "revenue"})
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["product"], row["metric"], row["value"], row["status"]) == ("P-2-1", "revenue", 11.0, "none")


@pytest.mark.parametrize("url", ["/api/v1/kpi-snapshots/", "/api/v1/alerts/"])
def test_list_query_count_does_not_grow_with_rows(pm, url):
    seed_products(2, pm)
    compute()
    with CaptureQueriesContext(connection) as few:
        assert api(pm).get(url).status_code == 200
    seed_products(12, pm)
    compute()
    with CaptureQueriesContext(connection) as lots:
        response = api(pm).get(url)
    assert response.json()["count"] > 10
    assert len(lots) == len(few)


def test_compute_is_queued_and_answers_202_with_a_task_url(head, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(head).post("/api/v1/kpi-snapshots/compute/",
                                         {"period": "2026-10", "granularity": "month"}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["status_url"].endswith(f"/api/v1/tasks/{body['task_id']}/")


@pytest.mark.parametrize(("who", "status"), [("pm", 403), ("reviewer", 403), ("executive", 403), ("head", 202),
                                             ("admin_user", 202)])
def test_who_may_trigger_a_computation(request, who, status):
    response = api(request.getfixturevalue(who)).post(
        "/api/v1/kpi-snapshots/compute/", {"period": "2026-10", "granularity": "month"}, format="json")
    assert response.status_code == status


def test_compute_with_a_bad_period_names_the_field(head):
    response = api(head).post("/api/v1/kpi-snapshots/compute/", {"period": "2026-13", "granularity": "month"},
                                     format="json")
    assert response.status_code == 400
    assert "period" in response.json()


def test_an_unknown_task_is_not_found(pm):
    assert api(pm).get("/api/v1/tasks/00000000-0000-0000-0000-000000000000/").status_code == 404


def _started_by(user):
    from kpis.models import TaskRun

    return TaskRun.objects.create(id=uuid.uuid4(), task="kpis.tasks.compute_kpi_snapshots",
                                  arguments=["2026-10", "month"], started_by=user)


@pytest.mark.parametrize(("who", "status"), [("head", 200), ("admin_user", 200), ("pm", 404), ("reviewer", 404)])
def test_a_tasks_state_is_read_only_by_its_starter_and_admins(request, head, who, status):
    run = _started_by(head)
    response = api(request.getfixturevalue(who)).get(f"/api/v1/tasks/{run.id}/")
    assert response.status_code == status


def test_another_head_of_product_cannot_read_the_task(head, make_user):
    run = _started_by(head)
    other = make_user(role="head_of_product", username="head_other")
    assert api(other).get(f"/api/v1/tasks/{run.id}/").status_code == 404


@pytest.fixture
def alert(pm):
    seed_products(1, pm)
    compute()
    return Alert.objects.get()


def test_alert_is_listed_acknowledged_and_resolved(pm, alert):
    client = api(pm)
    assert client.get("/api/v1/alerts/", {"status": "open"}).json()["results"][0]["product"] == "P-1-0"
    response = client.post(f"/api/v1/alerts/{alert.pk}/acknowledge/", {"comment": "已知悉"}, format="json")
    assert (response.status_code, response.json()["status"]) == (200, "acknowledged")
    response = client.post(f"/api/v1/alerts/{alert.pk}/resolve/", {"comment": "已处理"}, format="json")
    assert (response.json()["status"], response.json()["resolved_by"]) == ("resolved", "pm_a")


def test_resolving_a_resolved_alert_is_a_conflict(pm, alert):
    client = api(pm)
    client.post(f"/api/v1/alerts/{alert.pk}/resolve/", {"comment": "已处理"}, format="json")
    response = client.post(f"/api/v1/alerts/{alert.pk}/resolve/", {"comment": "再次"}, format="json")
    assert response.status_code == 409


def test_acknowledging_without_comment_names_the_field(pm, alert):
    response = api(pm).post(f"/api/v1/alerts/{alert.pk}/acknowledge/", {}, format="json")
    assert response.status_code == 400
    assert "comment" in response.json()


def test_other_manager_cannot_resolve(other_pm, alert):
    response = api(other_pm).post(f"/api/v1/alerts/{alert.pk}/resolve/", {"comment": "x"}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("url", ["/api/v1/alerts/", "/api/v1/kpi-snapshots/?period=2026-10"])
def test_list_query_count_for_a_head_of_product_does_not_grow_with_rows(head, url):
    client = api(head)
    live_products(2, head, "A")
    assert_constant_queries(client, url, lambda: live_products(8, head, "B"))
    assert client.get(url).json()["count"] >= 10


def test_computing_a_period_in_an_impossible_year_is_refused(head):
    response = api(head).post("/api/v1/kpi-snapshots/compute/", {"period": "0000-01", "granularity": "month"},
                              format="json")
    assert response.status_code == 400
    assert "period" in response.json()
    assert not Snapshot.objects.exists()
