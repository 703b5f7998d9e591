"""Quarterly product manager scorecards: weights, cap, ranking and who sees what."""
import pytest

from tests.factories import ProductFactory, observe, target
from tests.helpers import api, login

pytestmark = pytest.mark.django_db
URL = "/api/v1/scorecards/"


@pytest.fixture
def quarter(pm, other_pm):
    from kpis import services

    a = ProductFactory(code="LN-A", owner=pm, category="loan")
    observe(a, "revenue", "2026-10-05", 90)        # 90 / 100 → 90 %, weight 3
    observe(a, "csat", "2026-11-05", 130)          # 130 / 100 → 130 %, capped at 120, weight 2
    observe(a, "default_rate", "2026-12-05", 2.0)  # lower is better: 1.5 / 2.0 → 75 %, weight 2
    observe(a, "cost", "2026-12-05", 500)          # weight 0: not scored
    for code, goal, warn, crit in [("revenue", 100, 90, 80), ("csat", 100, 90, 80), ("default_rate", 1.5, 1.8, 2.2),
                                   ("cost", 100, 110, 120)]:
        target(a, code, "2026-10-01", goal, warn, crit, granularity="quarter")
    b = ProductFactory(code="CC-B", owner=other_pm)
    observe(b, "revenue", "2026-10-05", 100)
    target(b, "revenue", "2026-10-01", 100, 90, 80, granularity="quarter")
    services.kpi_snapshots_compute(period="2026-Q4", granularity="quarter")


def get(user, quarter="2026-Q4"):
    return api(user).get(URL, {"quarter": quarter})


def test_head_of_product_sees_every_manager_ranked_by_weighted_capped_attainment(head, quarter):
    rows = get(head).json()
    assert [(r["rank"], r["username"], r["score"]) for r in rows] == [
        (1, "pm_b", 100.0),
        (2, "pm_a", 94.29),  # (3 × 90 + 2 × 120 + 2 × 75) / 7 = 660 / 7
    ]
    assert rows[1]["metrics"] == 3 and rows[1]["products"] == 1


def test_product_manager_sees_only_their_own_line_with_its_rank(pm, quarter):
    assert [(r["rank"], r["username"]) for r in get(pm).json()] == [(2, "pm_a")]


@pytest.mark.parametrize(("who", "status"), [("pm", 200), ("head", 200), ("executive", 200), ("admin_user", 200),
                                             ("reviewer", 403)])
def test_who_may_see_scorecards(request, quarter, who, status):
    assert get(request.getfixturevalue(who)).status_code == status


def test_quarter_without_snapshots_is_empty(head, quarter):
    assert get(head, "2025-Q1").json() == []


def test_bad_quarter_names_the_field(head):
    response = get(head, "2026-Q5")
    assert response.status_code == 400
    assert "period" in response.json()


def test_default_quarter_is_the_last_completed_one(head, quarter, monkeypatch):
    from datetime import date

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda: date(2027, 1, 15))
    assert {row["quarter"] for row in api(head).get(URL).json()} == {"2026-Q4"}


def test_scorecard_query_count_does_not_grow_with_managers(head):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kpis import services
    from tests.factories import UserFactory

    def managers(start, n):
        for i in range(start, start + n):
            product = ProductFactory(code=f"SC-{i}", owner=UserFactory(username=f"pm_sc{i}"))
            observe(product, "revenue", "2026-10-05", 90 + i)
            target(product, "revenue", "2026-10-01", 100, 90, 80, granularity="quarter")
        services.kpi_snapshots_compute(period="2026-Q4", granularity="quarter")

    managers(0, 2)
    with CaptureQueriesContext(connection) as few:
        get(head)
    managers(2, 10)
    with CaptureQueriesContext(connection) as lots:
        assert len(get(head).json()) == 12
    assert len(lots) == len(few)


@pytest.mark.parametrize("quarter", ["0000-Q1", "0001-Q1", "9999-Q4"])
def test_a_quarter_in_an_impossible_year_is_a_clear_400_not_a_500(head, client, quarter):
    response = api(head).get(f"/api/v1/scorecards/?quarter={quarter}")
    assert response.status_code == 400
    assert response.json() == {"period": ["年份须在 1900 至 2999 之间。"]}
    page = login(client, head).get(f"/kpis/scorecards/?quarter={quarter}")
    assert page.status_code == 200
    assert "年份须在 1900 至 2999 之间。" in page.content.decode()
