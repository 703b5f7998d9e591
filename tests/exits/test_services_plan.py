"""The exit plan's rules: who writes it and when, successor, notice period per category, segments, evidence."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.errors import DomainConflict
from core.models import AuditEntry
from exits import services
from exits.models import ExitNoticePolicy, ExitPlan, ExitTask, ExitTaskTemplate
from kpis.models import Alert, Metric
from lifecycle.services import gate_review_submit
from tests.factories import ProductFactory, RequirementFactory, UserFactory, complete_deliverables
from tests.helpers import assert_unchanged

from .conftest import TODAY, day, save_plan

pytestmark = pytest.mark.django_db


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_owner_writes_a_plan_with_segments_and_evidence(product, requirement, successor):
    plan = save_plan(product, requirement, successor="DEP-NEXT")
    assert plan.successor == successor
    assert list(plan.segments.values_list("name", "customers")) == [("网点客户", 100), ("手机银行客户", 50)]
    assert list(plan.requirements.all()) == [requirement]


def test_another_product_manager_may_not_write_the_plan(product, requirement):
    with pytest.raises(PermissionDenied):
        save_plan(product, requirement, user=UserFactory(username="someone_else"))
    assert not ExitPlan.objects.exists()


def test_another_product_manager_is_refused_with_the_plans_message_and_nothing_is_written(product, requirement):
    with assert_unchanged(ExitPlan, AuditEntry), pytest.raises(PermissionDenied) as caught:
        save_plan(product, requirement, user=UserFactory(username="someone_else"))
    assert str(caught.value) == "您无权编辑该产品的退出计划。"


def test_head_of_product_writes_any_products_plan(product, requirement):
    head = UserFactory(username="head_exit", role="head_of_product")
    assert save_plan(product, requirement, user=head).created_by == head


@pytest.mark.parametrize("stage", ["planning", "development", "marketing", "retired", "cancelled"])
def test_plan_is_written_only_in_operation_or_retirement(owner, stage):
    product = ProductFactory(owner=owner, stage=stage)
    with pytest.raises(DomainConflict) as caught:
        save_plan(product)
    assert caught.value.code == "exit_plan_not_editable"


def test_plan_is_frozen_while_its_gate_review_is_open(product, requirement, reviewers):
    save_plan(product, requirement)
    complete_deliverables(product)
    gate_review_submit(product=product, user=product.owner)
    with pytest.raises(DomainConflict) as caught:
        save_plan(product, requirement, reason="改主意了")
    assert caught.value.code == "exit_plan_under_review"


def test_unknown_successor_is_refused(product):
    assert "successor" in errors_of(lambda: save_plan(product, successor="NOPE-1"))


def test_product_cannot_succeed_itself(product):
    assert "successor" in errors_of(lambda: save_plan(product, successor=product.code))


@pytest.mark.parametrize("stage", ["planning", "development", "retirement", "retired"])
def test_successor_must_be_in_marketing_or_operation(product, owner, stage):
    ProductFactory(owner=owner, code="DEP-LATE", stage=stage)
    assert "successor" in errors_of(lambda: save_plan(product, successor="DEP-LATE"))


def test_successor_in_marketing_is_accepted(product, owner):
    ProductFactory(owner=owner, code="DEP-MKT", stage="marketing")
    assert save_plan(product, successor="DEP-MKT").successor.code == "DEP-MKT"


def test_successor_of_another_category_needs_a_reason(product, owner):
    ProductFactory(owner=owner, code="WM-NEXT", category="wealth", stage="operation", risk_rating="R2")
    messages = errors_of(lambda: save_plan(product, successor="WM-NEXT", reason=" "))
    assert "successor" in messages
    assert save_plan(product, successor="WM-NEXT", reason="客户转向理财").successor.code == "WM-NEXT"


def test_close_date_at_the_notice_period_is_accepted(product):
    assert save_plan(product, close_date=TODAY + dt.timedelta(days=30)).close_date == TODAY + dt.timedelta(days=30)


def test_close_date_inside_the_notice_period_is_refused(product):
    messages = errors_of(lambda: save_plan(product, close_date=TODAY + dt.timedelta(days=29)))
    assert "30" in messages["close_date"][0]


def test_notice_period_follows_the_products_category(owner):
    card = ProductFactory(owner=owner, category="credit_card", stage="operation", risk_rating="R3")
    assert services.notice_days(category="credit_card") == 45
    assert "close_date" in errors_of(lambda: save_plan(card, close_date=TODAY + dt.timedelta(days=44)))
    assert save_plan(card, close_date=TODAY + dt.timedelta(days=45)).pk


def test_notice_period_is_policy_data(product):
    ExitNoticePolicy.objects.filter(category="deposit").update(notice_days=60)
    assert "close_date" in errors_of(lambda: save_plan(product, close_date=TODAY + dt.timedelta(days=59)))


def test_category_without_a_policy_row_gets_thirty_days(product):
    ExitNoticePolicy.objects.all().delete()
    assert services.notice_days(category="deposit") == 30


def test_segment_names_must_be_unique(product):
    segments = [{"name": "网点客户", "customers": 1}, {"name": "网点客户 ", "customers": 2}]
    assert "segments" in errors_of(lambda: save_plan(product, segments=segments))


def test_segment_customers_must_be_non_negative(product):
    assert "segments" in errors_of(lambda: save_plan(product, segments=[{"name": "A", "customers": -1}]))


def test_errors_name_every_field_and_change_nothing(product, owner):
    ProductFactory(owner=owner, code="DEP-OLD", stage="retired")
    messages = errors_of(lambda: save_plan(product, successor="DEP-OLD", close_date=TODAY,
                                           segments=[{"name": "A", "customers": -5}]))
    assert set(messages) == {"successor", "close_date", "segments"}
    assert not ExitPlan.objects.exists()


def test_evidence_of_another_product_is_refused(product, owner):
    foreign = RequirementFactory(product=ProductFactory(owner=owner))
    assert "evidence" in errors_of(lambda: save_plan(product, evidence={"requirements": [foreign.pk]}))


def test_an_alert_of_another_product_as_evidence_is_refused_naming_it(product, owner):
    foreign = Alert.objects.create(product=ProductFactory(owner=owner), metric=Metric.objects.get(code="revenue"),
                                   granularity="month", period="2026-10", period_start="2026-10-01", value=1.0,
                                   opened_at=timezone.now())
    assert errors_of(lambda: save_plan(product, evidence={"alerts": [foreign.pk]})) == {
        "evidence": [f"预警 {foreign.pk} 不存在或不属于本产品。"]}


def test_plan_creation_and_edit_are_audited_with_the_diff(product, requirement):
    save_plan(product, requirement)
    save_plan(product, requirement, reason="新的原因", segments=[{"name": "网点客户", "customers": 90}])
    created, updated = AuditEntry.objects.filter(action__startswith="exit_plan").order_by("id")
    assert created.action == "exit_plan_created"
    assert updated.action == "exit_plan_updated"
    fields = {c["field"]: c for c in updated.changes}
    assert set(fields) == {"reason", "segments"}
    assert fields["segments"]["new"] == [{"name": "网点客户", "customers": 90}]


def test_a_plans_entries_are_on_its_product_and_a_moved_notice_date_is_audited_by_name(product, requirement):
    save_plan(product, requirement)
    save_plan(product, requirement, notice_date=TODAY - dt.timedelta(days=1))
    created, updated = AuditEntry.objects.filter(action__startswith="exit_plan").order_by("id")
    assert (created.product, updated.product) == (product, product)
    assert (updated.from_value, updated.changes) == ("notice_date", [
        {"field": "notice_date", "old": TODAY.isoformat(), "new": (TODAY - dt.timedelta(days=1)).isoformat()}])


def test_saving_the_same_plan_again_writes_no_audit_entry(product, requirement):
    save_plan(product, requirement)
    save_plan(product, requirement)
    assert AuditEntry.objects.filter(action="exit_plan_updated").count() == 0


def test_saving_the_same_plan_again_rewrites_no_row(product, requirement):
    from exits.models import ExitSegment

    plan = save_plan(product, requirement)
    segments = list(ExitSegment.objects.filter(plan=plan).order_by("pk").values())
    with CaptureQueriesContext(connection) as queries:
        again = save_plan(product, requirement)
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    assert again.updated_at == plan.updated_at
    assert list(ExitSegment.objects.filter(plan=plan).order_by("pk").values()) == segments


def test_changing_one_segments_count_rewrites_only_that_segment(product, requirement):
    plan = save_plan(product, requirement)
    with CaptureQueriesContext(connection) as queries:
        save_plan(product, requirement, segments=[{"name": "网点客户", "customers": 120},
                                                  {"name": "手机银行客户", "customers": 50}])
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1 and "exits_exitsegment" in updates[0]
    assert list(plan.segments.order_by("position").values_list("name", "customers")) == [
        ("网点客户", 120), ("手机银行客户", 50)]


def test_segment_with_progress_cannot_be_removed(retiring):
    services.exit_progress_record(user=retiring.owner, product=retiring,
                                  items=[{"segment": "网点客户", "date": day(0), "migrated": 10, "closed": 0}])
    messages = errors_of(lambda: save_plan(retiring, segments=[{"name": "手机银行客户", "customers": 50}]))
    assert "网点客户" in messages["segments"][0]


def test_segment_cannot_shrink_below_customers_already_moved(retiring, requirement, reviewers):
    # Lowering below the approved plan is an exit reviewer's; even he cannot go below what has moved.
    services.exit_progress_record(user=retiring.owner, product=retiring,
                                  items=[{"segment": "网点客户", "date": day(0), "migrated": 60, "closed": 20}])
    segments = [{"name": "网点客户", "customers": 79}, {"name": "手机银行客户", "customers": 50}]
    reviewer = reviewers["compliance"]
    assert "segments" in errors_of(lambda: save_plan(retiring, requirement, segments=segments, user=reviewer))
    segments[0]["customers"] = 80
    assert save_plan(retiring, requirement, segments=segments,
                     user=reviewer).segments.get(name="网点客户").customers == 80


def test_open_tasks_follow_the_plans_dates(retiring):
    later = TODAY + dt.timedelta(days=60)
    plan = save_plan(retiring, close_date=later)
    due = dict(plan.tasks.values_list("template__code", "due_date"))
    assert due["migrate_holders"] == later
    assert due["monitor_complaints"] == later + dt.timedelta(days=90)
    assert due["notify_customers"] == TODAY


def test_a_finished_task_keeps_its_due_date_when_an_open_task_due_the_same_day_follows_the_plan(retiring):
    ExitTaskTemplate.objects.create(code="extra", title="额外任务", anchor="close_date", offset_days=0, position=9)
    services.exit_tasks_ensure(plan=retiring.exit_plan)
    task = ExitTask.objects.get(plan__product=retiring, template__code="migrate_holders")
    services.exit_task_update(user=retiring.owner, task=task, status="done")
    later = TODAY + dt.timedelta(days=60)
    save_plan(retiring, close_date=later)
    assert ExitTask.objects.get(plan__product=retiring, template__code="extra").due_date == later
    assert ExitTask.objects.get(pk=task.pk).due_date == task.due_date


def test_plan_missing_lists_what_is_lacking(product):
    plan = save_plan(product, reason="", notice_date=None, segments=[])
    missing = services.plan_missing(plan=plan)
    assert len(missing) == 4  # reason, evidence, notice date, segments


def test_a_plan_without_evidence_says_it_lacks_the_decisions_basis(product):
    assert services.plan_missing(plan=save_plan(product)) == ["缺少决策依据（指标快照、预警或需求）。"]


def test_a_plan_without_a_close_date_says_it_lacks_one(product, requirement):
    assert services.plan_missing(plan=save_plan(product, requirement, close_date=None)) == ["缺少产品关闭日。"]


def test_a_plan_whose_successor_left_the_market_says_so(product, requirement, successor):
    plan = save_plan(product, requirement, successor=successor.code)
    type(successor).objects.filter(pk=successor.pk).update(stage="retirement")
    assert services.plan_missing(plan=services.exit_plan_of(product)) == [
        f"承接产品 {successor.code} 已不在推广或运营阶段。"]
    assert plan.successor == successor


def test_complete_plan_misses_nothing(product, requirement):
    assert services.plan_missing(plan=save_plan(product, requirement)) == []


@pytest.mark.parametrize("field", ["notice_date", "close_date"])
def test_dates_far_outside_this_century_are_refused(product, field):
    assert field in errors_of(lambda: save_plan(product, **{field: dt.date(9999, 12, 31)}))
