import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from approvals import services as approval_services
from changes import selectors, services
from changes.models import Change, PilotCriterion, TermsVersion
from core.errors import DomainConflict, FieldValidationError
from core.models import AuditEntry
from lifecycle import services as lifecycle_services
from products import services as product_services
from tests.factories import (
    ProductFactory,
    RequirementFactory,
    complete_deliverables,
    observe_in_pilot,
    region,
)
from tests.helpers import assert_unchanged

from .conftest import approve_all, approved_change, change_data

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


# --- The freeze ----------------------------------------------------------------------------------------------------

def test_terms_of_a_launched_product_cannot_be_edited_directly(launched):
    with pytest.raises(DomainConflict) as error:
        product_services.product_update(user=launched.owner, product=launched, data={"fee": Decimal("1")})
    assert error.value.code == "terms_frozen"
    launched.refresh_from_db()
    assert launched.fee == Decimal("100.00")


def test_the_category_of_a_launched_product_cannot_be_edited(launched):
    category = launched.category
    with pytest.raises(DomainConflict) as error:
        product_services.product_update(user=launched.owner, product=launched, data={"category": "deposit"})
    assert error.value.code == "category_frozen"
    launched.refresh_from_db()
    assert launched.category == category


def test_the_category_of_a_product_before_launch_can_be_edited(owner):
    product = ProductFactory(owner=owner, category="loan")
    product_services.product_update(user=owner, product=product, data={"category": "deposit"})
    product.refresh_from_db()
    assert product.category == "deposit"


def test_other_fields_of_a_launched_product_can_still_be_edited(launched):
    product_services.product_update(user=launched.owner, product=launched,
                                    data={"name": "新名称", "fee": Decimal("100.0")})
    launched.refresh_from_db()
    assert launched.name == "新名称"


def test_terms_are_locked_while_a_review_is_pending(owner, reviewers):
    product = ProductFactory(owner=owner, category="credit_card", risk_rating="R3")
    complete_deliverables(product)
    lifecycle_services.gate_review_submit(product=product, user=owner)
    with pytest.raises(DomainConflict) as error:
        product_services.product_update(user=owner, product=product, data={"risk_rating": "R4"})
    assert error.value.code == "review_pending"


def test_terms_before_launch_are_edited_directly_with_an_audited_diff(owner):
    product = ProductFactory(owner=owner, category="credit_card", risk_rating="R3")
    product_services.product_update(user=owner, product=product, data={"features": ["机场贵宾厅"]})
    entry = AuditEntry.objects.filter(product=product, action="product_updated").get()
    assert entry.changes == [{"field": "features", "old": [], "new": ["机场贵宾厅"]}]


def launch_through_the_gates(owner, reviewers):
    """A credit card taken from planning through the development and marketing gates; returns it and the launch
    review (the marketing gate's)."""
    product = ProductFactory(owner=owner, category="credit_card", risk_rating="R3")
    for _stage in ("development", "marketing"):
        complete_deliverables(product)
        review = lifecycle_services.gate_review_submit(product=product, user=owner)
        approve_all(review, reviewers)
        product.refresh_from_db()
    return product, review


def test_launch_gate_approval_makes_the_approved_terms_version_1(owner, reviewers):
    product, review = launch_through_the_gates(owner, reviewers)
    version = TermsVersion.objects.get(product=product)
    assert (version.version, version.effective_from, version.review_id) == (1, TODAY, review.pk)
    assert version.terms["risk_rating"] == "R3"
    assert version.terms["sales_channels"] == ["branch", "mobile_banking"]


def test_version_1_of_a_launch_is_audited_with_the_reviewer_whose_approval_launched_it(owner, reviewers):
    product, _review = launch_through_the_gates(owner, reviewers)
    entry = AuditEntry.objects.get(product=product, action="terms_version_created")
    assert (entry.actor, entry.to_value) == (reviewers["senior_management"], f"v1 {TODAY.isoformat()}")


def test_a_product_launched_before_versions_existed_gets_version_1_from_its_launch_review(owner, reviewers):
    product, review = launch_through_the_gates(owner, reviewers)
    TermsVersion.objects.filter(product=product).delete()  # as if launched before terms versions existed
    version = services.terms_version_initial_ensure(product=product)
    assert (version.version, version.effective_from, version.review_id) == (1, TODAY, review.pk)


def test_planning_gate_approval_creates_no_version(owner, reviewers):
    product = ProductFactory(owner=owner, category="credit_card", risk_rating="R3")
    complete_deliverables(product)
    approve_all(lifecycle_services.gate_review_submit(product=product, user=owner), reviewers)
    assert not TermsVersion.objects.filter(product=product).exists()


# --- Change requests -------------------------------------------------------------------------------------------------

def test_change_is_a_draft_with_the_diff_of_the_changed_terms_only(launched):
    change = services.change_create(user=launched.owner, product=launched,
                                    data=change_data(terms={"fee": "80", "risk_rating": "R3"}))
    assert change.status == "draft"
    assert change.terms == {"fee": "80"}
    assert change.diff == [{"field": "fee", "old": "100", "new": "80"}]


def test_a_change_is_audited_on_the_change_with_its_summary_and_diff(launched):
    change = services.change_create(user=launched.owner, product=launched, data=change_data())
    entry = AuditEntry.objects.get(action="change_created")
    assert (entry.object_id, entry.to_value, entry.changes) == (
        str(change.pk), "年费下调", [{"field": "fee", "old": "100", "new": "80"}])


def test_a_change_may_take_effect_today(launched):
    change = services.change_create(user=launched.owner, product=launched, data=change_data(effective_from=TODAY))
    assert Change.objects.get(pk=change.pk).effective_from == TODAY


def test_change_with_no_term_actually_changed_is_refused(launched):
    with pytest.raises(FieldValidationError) as error:
        services.change_create(user=launched.owner, product=launched, data=change_data(terms={"fee": "100.0"}))
    assert "terms" in error.value.errors


def test_change_with_an_unknown_term_field_names_it(launched):
    with pytest.raises(FieldValidationError) as error:
        services.change_create(user=launched.owner, product=launched, data=change_data(terms={"name": "x"}))
    assert "name" in error.value.errors["terms"]


def test_change_terms_follow_the_products_own_rules(launched):
    # A credit card has no expected yield range (Product.clean), and fees are never negative.
    with pytest.raises(FieldValidationError) as error:
        services.change_create(user=launched.owner, product=launched,
                               data=change_data(terms={"expected_yield_min": "1.0", "fee": "-1"}))
    assert set(error.value.errors["terms"]) == {"expected_yield_min", "fee"}


def test_a_term_of_the_wrong_kind_is_refused_with_its_message(launched):
    with pytest.raises(FieldValidationError) as error:
        services.change_create(user=launched.owner, product=launched, data=change_data(terms={"features": "积分"}))
    assert error.value.errors == {"terms": {"features": ["无效的取值。"]}}


def test_a_term_that_is_not_a_number_is_refused_on_its_own_field(launched):
    with assert_unchanged(Change), pytest.raises(FieldValidationError) as error:
        services.change_create(user=launched.owner, product=launched, data=change_data(terms={"fee": "八十"}))
    assert list(error.value.errors["terms"]) == ["fee"]


def test_an_unknown_sales_channel_is_refused_with_its_message(launched):
    with assert_unchanged(Change), pytest.raises(FieldValidationError) as error:
        services.change_create(user=launched.owner, product=launched,
                               data=change_data(terms={"sales_channels": ["branch", "fax"]}))
    assert error.value.errors == {"terms": {"sales_channels": ["未知的销售渠道代码。"]}}


def test_change_refuses_a_requirement_of_another_product(launched):
    other = RequirementFactory()
    with pytest.raises(FieldValidationError) as error:
        services.change_create(user=launched.owner, product=launched, data=change_data(requirements=[other.pk]))
    assert "requirements" in error.value.errors


def test_change_links_requirements_of_its_product(launched):
    requirement = RequirementFactory(product=launched)
    change = services.change_create(user=launched.owner, product=launched,
                                    data=change_data(requirements=[requirement.pk]))
    assert list(change.requirements.all()) == [requirement]


def test_change_before_launch_is_refused(owner):
    product = ProductFactory(owner=owner, stage="development")
    with pytest.raises(DomainConflict) as error:
        services.change_create(user=owner, product=product, data=change_data())
    assert error.value.code == "terms_not_frozen"


def test_second_change_while_one_is_open_is_refused(launched):
    services.change_create(user=launched.owner, product=launched, data=change_data())
    with pytest.raises(DomainConflict) as error:
        services.change_create(user=launched.owner, product=launched, data=change_data())
    assert error.value.code == "change_open"


def test_only_product_editors_propose_changes(launched, other_pm):
    with pytest.raises(PermissionDenied):
        services.change_create(user=other_pm, product=launched, data=change_data())


def test_draft_is_edited_until_submitted(launched):
    change = services.change_create(user=launched.owner, product=launched, data=change_data())
    change = services.change_update(user=launched.owner, change=change, data={"terms": {"fee": "60"}})
    assert change.diff == [{"field": "fee", "old": "100", "new": "60"}]
    services.change_submit(user=launched.owner, change=change)
    with pytest.raises(DomainConflict) as error:
        services.change_update(user=launched.owner, change=change, data={"summary": "x"})
    assert error.value.code == "change_not_draft"


def test_editing_a_change_of_another_managers_product_is_refused_with_its_message_and_changes_nothing(
        launched, other_pm):
    change = services.change_create(user=launched.owner, product=launched, data=change_data())
    with assert_unchanged(Change, AuditEntry), pytest.raises(PermissionDenied) as error:
        services.change_update(user=other_pm, change=change, data={"summary": "改"})
    assert str(error.value) == "您无权修改该条款变更。"


def test_editing_the_summary_of_a_pilot_change_keeps_it_a_pilot(launched):
    change = services.change_create(user=launched.owner, product=launched, data=change_data(pilot=True))
    services.change_update(user=launched.owner, change=change, data={"summary": "年费下调（试点）"})
    change = Change.objects.get(pk=change.pk)
    assert (change.summary, change.pilot) == ("年费下调（试点）", True)


def test_editing_the_summary_keeps_the_linked_requirements(launched):
    requirement = RequirementFactory(product=launched)
    change = services.change_create(user=launched.owner, product=launched,
                                    data=change_data(requirements=[requirement.pk]))
    services.change_update(user=launched.owner, change=change, data={"summary": "年费下调"})
    assert list(Change.objects.get(pk=change.pk).requirements.all()) == [requirement]


def test_an_edit_is_audited_with_the_changes_diff(launched):
    change = services.change_create(user=launched.owner, product=launched, data=change_data())
    services.change_update(user=launched.owner, change=change, data={"terms": {"fee": "60"}})
    entry = AuditEntry.objects.get(action="change_updated")
    assert (entry.actor, entry.changes) == (launched.owner, [{"field": "fee", "old": "100", "new": "60"}])


def test_an_administrator_drafts_but_does_not_submit_a_change_to_a_product_he_does_not_own(launched, admin_user):
    change = services.change_create(user=admin_user, product=launched, data=change_data())
    assert not services.change_can_submit(user=admin_user, change=change)
    with pytest.raises(PermissionDenied):
        services.change_submit(user=admin_user, change=change)
    change.refresh_from_db()
    assert change.status == "draft" and change.review is None


def test_submitting_a_change_of_another_managers_product_is_refused_with_its_message_and_changes_nothing(
        launched, other_pm):
    change = services.change_create(user=launched.owner, product=launched, data=change_data())
    with assert_unchanged(Change, AuditEntry), pytest.raises(PermissionDenied) as error:
        services.change_submit(user=other_pm, change=change)
    assert str(error.value) == "您无权提交该条款变更。"


def test_an_approval_is_audited_from_submitted_to_approved(launched, reviewers):
    approved_change(launched, reviewers)
    entry = AuditEntry.objects.get(action="change_approved")
    assert (entry.from_value, entry.to_value) == ("submitted", "approved")


# --- Approval through the engine --------------------------------------------------------------------------------------

def test_submit_opens_a_change_review_with_risk_compliance_finance_then_senior_management(launched, reviewers):
    change = services.change_create(user=launched.owner, product=launched, data=change_data())
    change = services.change_submit(user=launched.owner, change=change)
    steps = list(change.review.steps.order_by("position", "department").values_list("department", "position"))
    assert steps == [("compliance", 1), ("finance", 1), ("risk", 1), ("senior_management", 2)]
    assert change.review.process == "change"
    assert change.review.snapshot["diff"] == change.diff


@pytest.mark.parametrize("terms", [{"risk_rating": "R4"}, {"sales_channels": ["branch", "mobile_banking", "partner"]},
                                   {"customer_segment": "youth"}])
def test_expanded_change_also_needs_legal(launched, terms):
    change = services.change_create(user=launched.owner, product=launched, data=change_data(terms=terms))
    change = services.change_submit(user=launched.owner, change=change)
    assert change.review.steps.filter(department="legal").exists()


def test_narrowing_change_needs_no_legal(launched):
    change = services.change_create(user=launched.owner, product=launched,
                                    data=change_data(terms={"sales_channels": ["branch"]}))
    change = services.change_submit(user=launched.owner, change=change)
    assert not change.review.steps.filter(department="legal").exists()


def test_owner_of_the_product_never_decides_its_change_review(launched, reviewers):
    launched.owner.departments.add(*reviewers["risk"].departments.all())
    change = services.change_submit(user=launched.owner, change=services.change_create(
        user=launched.owner, product=launched, data=change_data()))
    with pytest.raises(PermissionDenied):
        approval_services.approval_step_decide(review=change.review, department="risk", user=launched.owner,
                                                decision="approve")


def test_proposer_never_decides_the_change_review_even_when_another_user_submits(launched, reviewers, head):
    head.departments.add(*reviewers["risk"].departments.all())
    change = services.change_create(user=head, product=launched, data=change_data())
    change = services.change_submit(user=launched.owner, change=change)
    with pytest.raises(PermissionDenied):
        approval_services.approval_step_decide(review=change.review, department="risk", user=head,
                                                decision="approve")


def test_rejection_sets_the_change_rejected_and_leaves_the_terms(launched, reviewers):
    change = services.change_submit(user=launched.owner, change=services.change_create(
        user=launched.owner, product=launched, data=change_data()))
    approval_services.approval_step_decide(review=change.review, department="risk", user=reviewers["risk"],
                                            decision="reject", comment="风险过高")
    change.refresh_from_db()
    launched.refresh_from_db()
    assert change.status == "rejected"
    assert launched.fee == Decimal("100.00")


def test_a_rejected_change_is_audited_with_the_reviewer_who_rejected_it(launched, reviewers):
    change = services.change_submit(user=launched.owner, change=services.change_create(
        user=launched.owner, product=launched, data=change_data()))
    approval_services.approval_step_decide(review=change.review, department="risk", user=reviewers["risk"],
                                            decision="reject", comment="风险过高")
    entry = AuditEntry.objects.get(action="change_rejected")
    assert (entry.actor, entry.product, entry.object_id, entry.to_value) == (
        reviewers["risk"], launched, str(change.pk), "rejected")


def test_approval_without_pilot_makes_the_terms_the_active_next_version(launched, reviewers):
    change = approved_change(launched, reviewers)
    launched.refresh_from_db()
    assert change.status == "approved"
    assert change.version.version == 2
    assert launched.fee == Decimal("80.00")
    statuses = dict(selectors.terms_versions(product=launched).values_list("version", "status"))
    assert statuses == {1: "superseded", 2: "active"}
    assert TermsVersion.objects.get(product=launched, version=1).effective_to == TODAY - dt.timedelta(days=1)


def test_approval_with_a_later_effective_date_schedules_the_version(launched, reviewers):
    change = approved_change(launched, reviewers, effective_from=TODAY + dt.timedelta(days=3))
    launched.refresh_from_db()
    assert launched.fee == Decimal("100.00")
    statuses = dict(selectors.terms_versions(product=launched).values_list("version", "status"))
    assert statuses == {1: "active", 2: "scheduled"}
    assert change.version.effective_from == TODAY + dt.timedelta(days=3)


def test_scheduled_version_comes_into_force_on_its_day(launched, reviewers):
    approved_change(launched, reviewers, effective_from=TODAY + dt.timedelta(days=3))
    assert services.terms_versions_activate(today=TODAY + dt.timedelta(days=2)) == 0
    assert services.terms_versions_activate(today=TODAY + dt.timedelta(days=3)) == 1
    assert services.terms_versions_activate(today=TODAY + dt.timedelta(days=3)) == 0
    launched.refresh_from_db()
    assert launched.fee == Decimal("80.00")


def test_scheduled_version_keeps_a_new_change_waiting(launched, reviewers):
    approved_change(launched, reviewers, effective_from=TODAY + dt.timedelta(days=3))
    with pytest.raises(DomainConflict) as error:
        services.change_create(user=launched.owner, product=launched, data=change_data(terms={"fee": "70"}))
    assert error.value.code == "change_open"


def test_after_an_approved_change_a_new_one_compares_with_the_new_version(launched, reviewers):
    approved_change(launched, reviewers)
    change = services.change_create(user=launched.owner, product=launched, data=change_data(terms={"fee": "70"}))
    assert change.diff == [{"field": "fee", "old": "80", "new": "70"}]


# --- Pilot and rollout -----------------------------------------------------------------------------------------------

def pilot_data(**overrides):
    data = {"regions": ["上海"], "segments": ["youth"], "channels": ["mobile_banking"],
            "start": TODAY - dt.timedelta(days=10), "end": TODAY + dt.timedelta(days=20),
            "criteria": [{"metric": "csat", "op": ">=", "value": 80}]}
    data.update(overrides)
    return data


@pytest.fixture
def piloting(launched, reviewers):
    change = approved_change(launched, reviewers, pilot=True)
    return services.change_pilot_start(user=launched.owner, change=change, data=pilot_data())


def test_approved_pilot_change_waits_without_a_new_version(launched, reviewers):
    change = approved_change(launched, reviewers, pilot=True)
    assert change.status == "approved"
    assert change.version is None


def test_pilot_starts_with_its_scope_and_criteria(piloting):
    assert piloting.status == "piloting"
    assert (piloting.regions, piloting.segments, piloting.channels) == (["上海"], ["youth"], ["mobile_banking"])
    assert piloting.criteria.get().metric.code == "csat"


def test_a_pilots_start_is_audited_from_approved_to_piloting_with_its_dates_and_criteria(piloting):
    entry = AuditEntry.objects.get(action="change_pilot_started")
    start, end = TODAY - dt.timedelta(days=10), TODAY + dt.timedelta(days=20)
    assert (entry.from_value, entry.to_value, entry.comment) == (
        "approved", "piloting", f"{start} – {end}: 客户满意度 ≥ 80")


@pytest.mark.parametrize(("overrides", "field"), [
    ({"criteria": []}, "criteria"),
    ({"end": TODAY - dt.timedelta(days=10)}, "end"),
    ({"criteria": [{"metric": "nope", "op": ">=", "value": 1}]}, "criteria"),
    ({"channels": ["fax"]}, "channels"),
])
def test_pilot_refuses_invalid_plans_naming_the_field(launched, reviewers, overrides, field):
    change = approved_change(launched, reviewers, pilot=True)
    with pytest.raises(FieldValidationError) as error:
        services.change_pilot_start(user=launched.owner, change=change, data=pilot_data(**overrides))
    assert field in error.value.errors


def test_a_pilot_scope_item_of_a_hundred_characters_is_accepted(launched, reviewers):
    change = approved_change(launched, reviewers, pilot=True)
    change = services.change_pilot_start(user=launched.owner, change=change, data=pilot_data(regions=["区" * 100]))
    assert Change.objects.get(pk=change.pk).regions == ["区" * 100]


def test_a_pilot_plan_that_leaves_out_regions_is_started_without_regions(launched, reviewers):
    change = approved_change(launched, reviewers, pilot=True)
    data = pilot_data()
    del data["regions"]
    services.change_pilot_start(user=launched.owner, change=change, data=data)
    change = Change.objects.get(pk=change.pk)
    assert (change.status, change.regions) == ("piloting", [])


def test_a_pilot_without_an_end_date_runs_to_the_approved_plans_end(launched, reviewers):
    change = approved_change(launched, reviewers, pilot=True)
    change = services.change_pilot_start(user=launched.owner, change=change, data=pilot_data(end=None))
    assert change.pilot_end == TODAY + dt.timedelta(days=60)


def test_a_pilot_without_criteria_is_refused_with_its_message(launched, reviewers):
    change = approved_change(launched, reviewers, pilot=True)
    with assert_unchanged(Change, PilotCriterion), pytest.raises(FieldValidationError) as error:
        services.change_pilot_start(user=launched.owner, change=change, data=pilot_data(criteria=[]))
    assert error.value.errors == {"criteria": ["至少需要一项试点标准。"]}


def test_a_pilot_with_more_than_twenty_criteria_is_refused_with_its_message(launched, reviewers):
    change = approved_change(launched, reviewers, pilot=True)
    criteria = [{"metric": "csat", "op": ">=", "value": n} for n in range(21)]
    with assert_unchanged(Change, PilotCriterion), pytest.raises(FieldValidationError) as error:
        services.change_pilot_start(user=launched.owner, change=change, data=pilot_data(criteria=criteria))
    assert error.value.errors == {"criteria": ["试点标准最多 20 项。"]}


def test_a_criterion_with_a_value_that_is_not_a_number_is_refused_at_its_index_and_changes_nothing(
        launched, reviewers):
    change = approved_change(launched, reviewers, pilot=True)
    criteria = [{"metric": "csat", "op": ">=", "value": 80}, {"metric": "csat", "op": ">=", "value": "高"}]
    with assert_unchanged(Change, PilotCriterion), pytest.raises(FieldValidationError) as error:
        services.change_pilot_start(user=launched.owner, change=change, data=pilot_data(criteria=criteria))
    assert error.value.errors == {"criteria": {"1": {"value": ["阈值必须是数字。"]}}}


def test_starting_the_pilot_of_another_managers_change_is_refused_with_its_message_and_changes_nothing(
        launched, reviewers, other_pm):
    change = approved_change(launched, reviewers, pilot=True)
    with assert_unchanged(Change, PilotCriterion, AuditEntry), pytest.raises(PermissionDenied) as error:
        services.change_pilot_start(user=other_pm, change=change, data=pilot_data())
    assert str(error.value) == "您无权安排该变更的试点。"


def test_pilot_of_a_change_without_pilot_is_refused(launched, reviewers):
    change = approved_change(launched, reviewers)
    with pytest.raises(DomainConflict):
        services.change_pilot_start(user=launched.owner, change=change, data=pilot_data())


def test_criterion_without_data_is_neither_met_nor_failed(piloting):
    region("sh", "上海", "Shanghai")
    assert selectors.criteria_with_actuals(change=piloting)[0] == {
        "metric": "csat", "metric_name": "客户满意度", "unit": "分", "op": ">=", "value": 80.0, "actual": None,
        "met": None, "reason": "试点范围内（所选地区、客群、渠道）尚无分维度数据。"}


def test_criterion_actual_uses_the_metrics_own_aggregation_over_the_pilot_window(piloting):
    for days_ago, value in ((11, 10.0), (9, 70.0), (1, 90.0)):  # the first is before the pilot started
        observe_in_pilot(piloting.product, "csat", TODAY - dt.timedelta(days=days_ago), value)
    row = selectors.criteria_with_actuals(change=piloting)[0]
    assert (row["actual"], row["met"]) == (80.0, True)


def test_last_and_derived_criteria_are_computed(launched, reviewers):
    from tests.changes.conftest import pilot_plan

    change = approved_change(launched, reviewers, pilot=True, pilot_plan=pilot_plan(criteria=[
        {"metric": "market_share", "op": ">=", "value": 5}, {"metric": "margin", "op": ">=", "value": 30}]))
    change = services.change_pilot_start(user=launched.owner, change=change, data=pilot_data(criteria=[
        {"metric": "market_share", "op": ">=", "value": 5}, {"metric": "margin", "op": ">=", "value": 30}]))
    for metric, days_ago, value in (("market_share", 3, 4.0), ("market_share", 1, 6.0), ("revenue", 2, 100.0),
                                    ("revenue", 1, 100.0), ("cost", 1, 150.0)):
        observe_in_pilot(launched, metric, TODAY - dt.timedelta(days=days_ago), value)
    rows = selectors.criteria_with_actuals(change=change)
    assert [(r["actual"], r["met"]) for r in rows] == [(6.0, True), (25.0, False)]


def test_rollout_is_refused_while_a_criterion_is_not_met(piloting):
    observe_in_pilot(piloting.product, "csat", TODAY, 60.0)
    with pytest.raises(DomainConflict) as error:
        services.change_rollout(user=piloting.product.owner, change=piloting)
    assert error.value.code == "pilot_criteria_not_met"
    assert error.value.extra["failing"] == [{"metric": "csat", "op": ">=", "value": 80.0, "actual": 60.0}]


def test_rollout_is_refused_without_data(piloting):
    with pytest.raises(DomainConflict) as error:
        services.change_rollout(user=piloting.product.owner, change=piloting)
    assert error.value.extra["failing"][0]["actual"] is None


def test_rollout_with_criteria_met_makes_the_next_active_version(piloting):
    observe_in_pilot(piloting.product, "csat", TODAY, 85.0)
    change = services.change_rollout(user=piloting.product.owner, change=piloting)
    product = change.product
    product.refresh_from_db()
    assert change.status == "rolled_out"
    assert change.version.version == 2
    assert product.fee == Decimal("80.00")


def test_an_approved_change_of_sales_channels_puts_the_new_channels_on_the_product(launched, reviewers):
    approved_change(launched, reviewers, terms={"sales_channels": ["branch"]})
    assert list(launched.sales_channels.values_list("code", flat=True)) == ["branch"]


def test_a_version_coming_into_force_is_audited_with_its_number_and_the_terms_it_changed(launched, reviewers):
    approved_change(launched, reviewers)
    entry = AuditEntry.objects.get(action="terms_version_activated")
    assert (entry.to_value, entry.changes) == ("v2", [{"field": "fee", "old": "100", "new": "80"}])


def test_senior_management_may_override_unmet_criteria_with_a_reason(piloting, executive):
    change = services.change_rollout(user=executive, change=piloting, override_reason="市场窗口期")
    assert change.status == "rolled_out"
    entry = AuditEntry.objects.get(action="change_rollout_overridden")
    assert (entry.actor, entry.comment) == (executive, "市场窗口期")


def test_an_override_is_audited_on_the_change_with_the_criteria_it_overrode(piloting, executive):
    services.change_rollout(user=executive, change=piloting, override_reason="市场窗口期")
    entry = AuditEntry.objects.get(action="change_rollout_overridden")
    assert (entry.object_id, entry.to_value) == (str(piloting.pk), "csat >= 80")


def test_a_rollout_is_audited_on_the_change_with_the_version_it_made(piloting):
    observe_in_pilot(piloting.product, "csat", TODAY, 85.0)
    services.change_rollout(user=piloting.product.owner, change=piloting)
    entry = AuditEntry.objects.get(action="change_rolled_out")
    assert (entry.object_id, entry.from_value, entry.to_value) == (str(piloting.pk), "piloting", "v2")


def test_override_by_anyone_else_is_refused(piloting, head):
    for user in (piloting.product.owner, head):
        with pytest.raises(PermissionDenied):
            services.change_rollout(user=user, change=piloting, override_reason="赶进度")


def test_withdraw_needs_a_reason_and_leaves_the_terms(piloting):
    with pytest.raises(ValidationError):
        services.change_withdraw(user=piloting.product.owner, change=piloting, reason=" ")
    change = services.change_withdraw(user=piloting.product.owner, change=piloting, reason="试点效果不佳")
    assert change.status == "withdrawn"
    assert change.product.fee == Decimal("100.00")
    assert not selectors.open_change_exists(product=change.product)


def test_withdrawing_a_change_of_another_managers_product_is_refused_with_its_message_and_changes_nothing(
        piloting, other_pm):
    with assert_unchanged(Change, AuditEntry), pytest.raises(PermissionDenied) as error:
        services.change_withdraw(user=other_pm, change=piloting, reason="不做了")
    assert str(error.value) == "您无权撤回该条款变更。"


def test_a_withdrawal_is_audited_with_the_status_it_left_and_its_reason(piloting):
    services.change_withdraw(user=piloting.product.owner, change=piloting, reason="试点效果不佳")
    entry = AuditEntry.objects.get(action="change_withdrawn")
    assert (entry.from_value, entry.to_value, entry.comment) == ("piloting", "withdrawn", "试点效果不佳")


def test_every_step_of_a_change_is_audited(piloting):
    observe_in_pilot(piloting.product, "csat", TODAY, 85.0)
    services.change_rollout(user=piloting.product.owner, change=piloting)
    actions = set(AuditEntry.objects.filter(product=piloting.product).values_list("action", flat=True))
    assert {"change_created", "change_submitted", "change_approved", "change_pilot_started", "change_rolled_out",
            "terms_version_created", "terms_version_activated", "review_submitted"} <= actions


def test_a_substitute_decides_a_terms_change_step_for_its_delegator(launched, reviewers, make_user):
    # Delegation goes through the approval engine, so it covers every process, a terms change included.
    from approvals import delegations
    from notifications.models import Notification

    colleague = make_user(username="risk_sub_ch", role="reviewer", departments=["risk", "legal"])
    delegations.delegation_create(user=reviewers["risk"], delegate=colleague, starts_on=TODAY,
                                  ends_on=TODAY + dt.timedelta(days=3))
    change = services.change_submit(user=launched.owner, change=services.change_create(
        user=launched.owner, product=launched, data=change_data()))
    step = change.review.steps.get(department="risk")
    if step.status != "pending":  # opened in a later phase: decide the earlier ones first
        for other in change.review.steps.filter(status="pending").exclude(department="risk"):
            approval_services.approval_step_decide(review=change.review, department=other.department,
                                                    user=reviewers[other.department], decision="approve")
    decided = approval_services.approval_step_decide(review=change.review, department="risk", user=colleague,
                                                      decision="approve", comment="代为同意",
                                                      on_behalf_of=reviewers["risk"])
    assert (decided.decided_by, decided.on_behalf_of) == (colleague, reviewers["risk"])
    assert Notification.objects.filter(recipient=reviewers["risk"], title__contains="代您审批").exists()


# --- Excluded segments are a term (issue 21: the target-market monitoring reads them) --------------------------------

def test_the_excluded_segments_of_a_launched_product_cannot_be_edited_directly(launched):
    with pytest.raises(DomainConflict) as error:
        product_services.product_update(user=launched.owner, product=launched, data={"excluded_segments": ["youth"]})
    assert error.value.code == "terms_frozen"
    launched.refresh_from_db()
    assert launched.excluded_segments == []


def test_versions_carry_the_excluded_segments_and_a_change_moves_them(launched, reviewers):
    assert TermsVersion.objects.get(product=launched, version=1).terms["excluded_segments"] == []
    change = approved_change(launched, reviewers, terms={"excluded_segments": ["senior", "youth"]})
    launched.refresh_from_db()
    assert change.diff == [{"field": "excluded_segments", "old": [], "new": ["senior", "youth"]}]
    assert change.version.terms["excluded_segments"] == ["senior", "youth"]
    assert launched.excluded_segments == ["senior", "youth"]


def test_a_change_refuses_unknown_excluded_segments_and_the_target_segment(launched):
    with pytest.raises(FieldValidationError) as error:
        services.change_create(user=launched.owner, product=launched, data=change_data(
            terms={"excluded_segments": ["nobody"]}))
    assert "excluded_segments" in error.value.errors["terms"]
    with pytest.raises(FieldValidationError):
        services.change_create(user=launched.owner, product=launched, data=change_data(
            terms={"excluded_segments": [launched.customer_segment]}))


def test_a_version_written_before_excluded_segments_were_a_term_reads_the_products_value(launched):
    TermsVersion.objects.filter(product=launched).update(terms={k: v for k, v in TermsVersion.objects.get(
        product=launched).terms.items() if k != "excluded_segments"})
    launched.excluded_segments = ["senior"]
    launched.save()
    assert services.change_base_terms(product=launched)["excluded_segments"] == ["senior"]
    change = services.change_create(user=launched.owner, product=launched, data=change_data(
        terms={"fee": "80", "excluded_segments": ["senior"]}))
    assert [row["field"] for row in change.diff] == ["fee"]  # the unchanged list is no change
