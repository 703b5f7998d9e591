"""Setting and clearing target dates: who may, which stages and versions, audited, refusals change nothing."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changes.models import TermsVersion
from core.models import AuditEntry
from roadmap import services
from roadmap.models import RoadmapPlan
from tests.factories import ProductFactory, UserFactory
from tests.helpers import assert_unchanged

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def test_the_owner_sets_a_next_stage_target_and_it_is_audited(owner):
    product = ProductFactory(owner=owner)
    plan = services.roadmap_plan_set(user=owner, product=product, kind="stage", stage="marketing",
                                     target_date=D("2027-03-01"), comment="委员会要求")
    entry = AuditEntry.objects.filter(action="roadmap_plan_set").get()
    assert (plan.stage, plan.target_date, plan.set_by) == ("marketing", D("2027-03-01"), owner)
    assert (entry.product_id, entry.from_value, entry.to_value, entry.comment) == (
        product.pk, "", "2027-03-01", "推广: 委员会要求")


def test_moving_a_target_keeps_one_plan_and_audits_before_and_after(owner):
    product = ProductFactory(owner=owner)
    services.roadmap_plan_set(user=owner, product=product, kind="stage", stage="development",
                              target_date=D("2027-01-10"))
    services.roadmap_plan_set(user=owner, product=product, kind="stage", stage="development",
                              target_date=D("2027-02-10"))
    assert RoadmapPlan.objects.get(product=product).target_date == D("2027-02-10")
    last = AuditEntry.objects.filter(action="roadmap_plan_set").order_by("-id").first()
    assert (last.from_value, last.to_value) == ("2027-01-10", "2027-02-10")


def test_a_head_of_product_sets_targets_of_any_product(owner):
    head = UserFactory(username="rm_head", role="head_of_product")
    product = ProductFactory(owner=owner)
    services.roadmap_plan_set(user=head, product=product, kind="stage", stage="development",
                              target_date=D("2027-01-10"))
    assert RoadmapPlan.objects.filter(product=product).count() == 1


def test_another_product_manager_is_refused_and_nothing_is_written(owner):
    product = ProductFactory(owner=owner)
    other = UserFactory(username="rm_other", role="product_manager")
    with assert_unchanged(RoadmapPlan, AuditEntry), pytest.raises(PermissionDenied):
        services.roadmap_plan_set(user=other, product=product, kind="stage", stage="development",
                                  target_date=D("2027-01-10"))


def test_a_stage_already_reached_cannot_be_planned(owner):
    product = ProductFactory(owner=owner, stage="operation")
    with assert_unchanged(RoadmapPlan, AuditEntry), pytest.raises(ValidationError) as error:
        services.roadmap_plan_set(user=owner, product=product, kind="stage", stage="marketing",
                                  target_date=D("2027-01-10"))
    assert list(error.value.message_dict) == ["stage"]


def test_a_later_stage_cannot_be_planned_before_an_earlier_one(owner):
    product = ProductFactory(owner=owner)
    services.roadmap_plan_set(user=owner, product=product, kind="stage", stage="development",
                              target_date=D("2027-03-01"))
    with assert_unchanged(RoadmapPlan, AuditEntry), pytest.raises(ValidationError) as error:
        services.roadmap_plan_set(user=owner, product=product, kind="stage", stage="marketing",
                                  target_date=D("2027-02-01"))
    assert list(error.value.message_dict) == ["target_date"]


def test_only_a_version_after_the_latest_can_be_planned(owner):
    product = ProductFactory(owner=owner, stage="operation")
    TermsVersion.objects.create(product=product, version=2, effective_from=D("2026-05-04"), terms={})
    with assert_unchanged(RoadmapPlan, AuditEntry), pytest.raises(ValidationError) as error:
        services.roadmap_plan_set(user=owner, product=product, kind="version", version=2,
                                  target_date=D("2027-01-10"))
    assert list(error.value.message_dict) == ["version"]
    plan = services.roadmap_plan_set(user=owner, product=product, kind="version", version=3,
                                     target_date=D("2027-01-10"))
    assert (plan.kind, plan.stage, plan.version) == ("version", "", 3)


def test_a_target_date_far_outside_the_calendar_is_refused(owner):
    product = ProductFactory(owner=owner)
    with assert_unchanged(RoadmapPlan, AuditEntry), pytest.raises(ValidationError) as error:
        services.roadmap_plan_set(user=owner, product=product, kind="stage", stage="development",
                                  target_date=D("1999-12-31"))
    assert list(error.value.message_dict) == ["target_date"]


def test_clearing_a_target_deletes_it_and_is_audited(owner):
    product = ProductFactory(owner=owner)
    plan = services.roadmap_plan_set(user=owner, product=product, kind="stage", stage="development",
                                     target_date=D("2027-01-10"))
    services.roadmap_plan_clear(user=owner, plan=plan, comment="取消")
    assert not RoadmapPlan.objects.filter(product=product).exists()
    entry = AuditEntry.objects.filter(action="roadmap_plan_cleared").get()
    assert (entry.from_value, entry.comment) == ("2027-01-10", "开发: 取消")
