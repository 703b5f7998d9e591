"""The roadmap's items per product state, planned against actual dates, and a query count independent of size."""
import datetime as dt

import pytest
from django.utils import timezone

from changes.models import Change, TermsVersion
from exits.models import ExitPlan
from lifecycle.models import ApprovalStep, Condition, Deliverable, GateReview
from lifecycle.services import gate_review_submit
from products.models import Product
from roadmap.models import RoadmapPlan
from roadmap.selectors import Window, roadmap
from tests.factories import ProductFactory, complete_deliverables, created_on
from tests.factories import walked_product as walked

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
WINDOW = Window(D("2026-01-01"), D("2026-12-31"))
TODAY = D("2026-12-07")


def items_of(product, window=WINDOW, today=TODAY):
    (item,) = roadmap(products=Product.objects.filter(pk=product.pk), window=window, today=today)
    return item


def test_a_product_in_planning_spans_from_its_creation_to_today(owner):
    product = created_on(ProductFactory(owner=owner), "2026-03-10")
    spans = items_of(product)["spans"]
    assert [(s["stage"], s["start"], s["end"], s["current"]) for s in spans] == [
        ("planning", D("2026-03-10"), TODAY, True)]


def test_stage_spans_follow_the_approved_gates(owner, reviewers):
    product = walked(owner, reviewers, "marketing", ["2026-01-05", "2026-03-01", "2026-06-15"])
    spans = items_of(product)["spans"]
    assert [(s["stage"], s["start"], s["end"]) for s in spans] == [
        ("planning", D("2026-01-05"), D("2026-03-01")), ("development", D("2026-03-01"), D("2026-06-15")),
        ("marketing", D("2026-06-15"), TODAY)]


def test_spans_outside_the_window_are_left_out(owner, reviewers):
    product = walked(owner, reviewers, "marketing", ["2026-01-05", "2026-03-01", "2026-06-15"])
    spans = items_of(product, window=Window(D("2026-07-01"), D("2026-09-30")))["spans"]
    assert [s["stage"] for s in spans] == ["marketing"]


def test_gate_reviews_carry_their_lead_time_and_status(owner, reviewers):
    product = walked(owner, reviewers, "development", ["2026-01-05", "2026-03-01"])
    (gate,) = items_of(product)["gates"]
    assert (gate["process"], gate["to_stage"], gate["status"]) == ("stage_gate", "development", "approved")
    assert (gate["submitted"], gate["decided"], gate["lead_days"], gate["overdue"]) == (
        D("2026-02-27"), D("2026-03-01"), 2.0, False)


def test_an_open_review_past_a_step_due_date_is_marked_overdue(owner):
    product = ProductFactory(owner=owner)
    complete_deliverables(product)
    review = gate_review_submit(product=product, user=owner)
    ApprovalStep.objects.filter(review=review, status="pending").update(due_date=timezone.localdate() - dt.timedelta(1))
    gate = items_of(product, window=Window(timezone.localdate() - dt.timedelta(30), timezone.localdate()),
                    today=timezone.localdate())["gates"][0]
    assert (gate["status"], gate["decided"], gate["overdue"]) == ("pending", None, True)


def test_a_product_imported_in_a_later_stage_shows_that_stage_as_current(owner):
    product = created_on(ProductFactory(owner=owner, stage="operation"), "2026-02-01")
    spans = items_of(product)["spans"]
    assert [(s["stage"], s["current"]) for s in spans] == [("operation", True)]


def test_versions_pilots_rollouts_exit_dates_and_due_deliverables_in_the_window(owner):
    product = ProductFactory(owner=owner, stage="operation")
    TermsVersion.objects.create(product=product, version=1, effective_from=D("2026-02-01"), terms={})
    TermsVersion.objects.create(product=product, version=2, effective_from=D("2025-02-01"), terms={})
    Change.objects.create(product=product, summary="年费下调", reason="competitor", created_by=owner, pilot=True,
                          pilot_start=D("2026-04-01"), pilot_end=D("2026-05-31"))
    Change.objects.filter(product=product).update(status="rolled_out", closed_at=timezone.make_aware(
        dt.datetime(2026, 6, 2, 10)))
    ExitPlan.objects.create(product=product, notice_date=D("2026-10-01"), close_date=D("2027-01-15"),
                            created_by=owner)
    Deliverable.objects.create(product=product, stage="operation", title="运营报告", owner=owner,
                               due_date=D("2026-11-30"))
    item = items_of(product)
    assert item["versions"] == [{"version": 1, "date": D("2026-02-01")}]
    assert [(p["start"], p["end"], p["status"]) for p in item["pilots"]] == [
        (D("2026-04-01"), D("2026-05-31"), "rolled_out")]
    assert [r["date"] for r in item["rollouts"]] == [D("2026-06-02")]
    assert item["exit"] == {"notice": D("2026-10-01"), "close": D("2027-01-15")}
    assert [(d["title"], d["due"], d["overdue"]) for d in item["deliverables"]] == [
        ("运营报告", D("2026-11-30"), True)]


def _condition(product, owner, due, status="open", action="补充压力测试报告"):
    review = GateReview.objects.filter(product=product).order_by("id").first()
    step = review.steps.order_by("position", "id").first()
    condition = Condition.objects.create(review=review, step=step, product=product, department=step.department,
                                         action=action, owner=owner, due=D(due))
    if status != "open":
        Condition.objects.filter(pk=condition.pk).update(status=status)
    return condition


def test_open_conditions_in_the_window_sit_at_their_due_date_overdue_ones_marked(owner, reviewers):
    product = walked(owner, reviewers, "development", ["2026-01-05", "2026-03-01"], code="COND-1")
    late = _condition(product, owner, "2026-11-20", action="补充压力测试报告")
    _condition(product, owner, "2026-12-20", action="上线后复核定价")
    _condition(product, owner, "2026-10-01", status="done", action="已落实的条件")
    _condition(product, owner, "2026-10-02", status="waived", action="已豁免的条件")
    _condition(product, owner, "2027-02-01", action="窗口之外的条件")
    conditions = items_of(product)["conditions"]
    assert [(c["action"], c["due"], c["overdue"]) for c in conditions] == [
        ("补充压力测试报告", D("2026-11-20"), True), ("上线后复核定价", D("2026-12-20"), False)]
    assert (conditions[0]["id"], conditions[0]["review"], conditions[0]["owner"]) == (
        late.pk, late.review_id, "owner_pm")


def test_a_stage_reached_after_its_target_shows_the_slip(owner, reviewers):
    product = walked(owner, reviewers, "development", ["2026-01-05", "2026-03-01"])
    RoadmapPlan.objects.create(product=product, kind="stage", stage="development", target_date=D("2026-02-20"),
                               set_by=owner)
    (plan,) = items_of(product)["plans"]
    assert (plan["target"], plan["actual"], plan["slip_days"], plan["status"]) == (
        D("2026-02-20"), D("2026-03-01"), 9, "late")


def test_a_stage_reached_early_has_a_negative_slip(owner, reviewers):
    product = walked(owner, reviewers, "development", ["2026-01-05", "2026-03-01"])
    RoadmapPlan.objects.create(product=product, kind="stage", stage="development", target_date=D("2026-03-11"),
                               set_by=owner)
    (plan,) = items_of(product)["plans"]
    assert (plan["slip_days"], plan["status"]) == (-10, "on_time")


def test_an_unreached_target_in_the_past_is_overdue_by_the_days_since(owner):
    product = ProductFactory(owner=owner)
    RoadmapPlan.objects.create(product=product, kind="stage", stage="development", target_date=D("2026-11-30"),
                               set_by=owner)
    (plan,) = items_of(product)["plans"]
    assert (plan["actual"], plan["slip_days"], plan["status"]) == (None, 7, "overdue")


def test_a_future_target_is_planned(owner):
    product = ProductFactory(owner=owner)
    RoadmapPlan.objects.create(product=product, kind="stage", stage="marketing", target_date=D("2026-12-20"),
                               set_by=owner)
    (plan,) = items_of(product)["plans"]
    assert (plan["slip_days"], plan["status"]) == (0, "planned")


def test_a_version_target_is_compared_with_its_effective_day(owner):
    product = ProductFactory(owner=owner, stage="operation")
    TermsVersion.objects.create(product=product, version=2, effective_from=D("2026-05-04"), terms={})
    RoadmapPlan.objects.create(product=product, kind="version", version=2, target_date=D("2026-05-01"), set_by=owner)
    (plan,) = items_of(product)["plans"]
    assert (plan["label"], plan["actual"], plan["slip_days"], plan["status"]) == ("v2", D("2026-05-04"), 3, "late")


def _portfolio(owner, reviewers, n: int):
    for i in range(n):
        product = walked(owner, reviewers, "development", ["2026-01-05", "2026-03-01"], code=f"RQ-{n}-{i}")
        RoadmapPlan.objects.create(product=product, kind="stage", stage="marketing", target_date=D("2026-09-01"),
                                   set_by=owner)
        TermsVersion.objects.create(product=product, version=1, effective_from=D("2026-04-01"), terms={})
        Deliverable.objects.create(product=product, stage="development", title="设计", owner=owner,
                                   due_date=D("2026-08-01"))
        ExitPlan.objects.create(product=product, notice_date=D("2026-10-01"), created_by=owner)
        _condition(product, owner, "2026-09-15")


@pytest.mark.parametrize("size", [2, 12])
def test_the_query_count_does_not_grow_with_products(owner, reviewers, size, django_assert_max_num_queries):
    _portfolio(owner, reviewers, size)
    products = Product.objects.filter(code__startswith=f"RQ-{size}-")
    with django_assert_max_num_queries(9):
        items = roadmap(products=products, window=WINDOW, today=TODAY)
    assert len(items) == size and all(item["plans"] and item["gates"] and item["versions"] and item["conditions"]
                                      for item in items)
    assert GateReview.objects.filter(product__in=products).count() == size
