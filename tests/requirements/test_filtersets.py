"""The backlog FilterSet, shared by the page, the export and the API."""
import datetime as dt

import pytest
from django.utils import timezone

from requirements.filtersets import FeedbackFilterSet, RequirementFilterSet
from requirements.models import Requirement
from tests.factories import FeedbackFactory, ProductFactory, ProductVersionFactory, RequirementFactory, UserFactory

pytestmark = pytest.mark.django_db


def titles(params):
    return [r.title for r in RequirementFilterSet(params, queryset=Requirement.objects.all()).qs]


def test_search_matches_title_and_description():
    RequirementFactory(title="夜间转账限额", description="")
    RequirementFactory(title="别的", description="涉及夜间交易")
    RequirementFactory(title="无关", description="无关")
    assert sorted(titles({"q": "夜间"})) == ["别的", "夜间转账限额"]


def test_filter_by_tag_assignee_and_version():
    version = ProductVersionFactory()
    assignee = UserFactory()
    hit = RequirementFactory(product=version.product, title="命中", assignee=assignee, target_version=version)
    hit.tags.create(name="手机银行")
    RequirementFactory(product=version.product, title="未命中")
    assert titles({"tag": "手机银行", "assignee": assignee.pk, "target_version": version.pk}) == ["命中"]


def test_filter_by_several_statuses_and_priorities():
    RequirementFactory(title="甲", status="new", priority="P0")
    RequirementFactory(title="乙", status="analysing", priority="P0")
    RequirementFactory(title="丙", status="analysing", priority="P3")
    assert sorted(titles({"status": ["new", "analysing"], "priority": ["P0"]})) == ["乙", "甲"]


def test_default_order_is_rice_descending():
    RequirementFactory(title="低", reach=10)
    RequirementFactory(title="高", reach=10_000)
    assert titles({}) == ["高", "低"]


@pytest.mark.parametrize(("ordering", "expected"), [("priority", ["P0", "P2"]), ("-due_date", ["later", "sooner"])])
def test_sort_by_priority_or_due_date(ordering, expected):
    today = timezone.localdate()
    RequirementFactory(title="sooner", priority="P2", due_date=today)
    RequirementFactory(title="later", priority="P0", due_date=today + dt.timedelta(days=9))
    rows = RequirementFilterSet({"ordering": ordering}, queryset=Requirement.objects.all()).qs
    values = [r.priority for r in rows] if ordering == "priority" else [r.title for r in rows]
    assert values == expected


def test_feedback_filter_by_converted_and_date():
    product = ProductFactory()
    FeedbackFactory(product=product, requirement=RequirementFactory(product=product), text="已转化的")
    FeedbackFactory(product=product, text="旧的", received_on=dt.date(2020, 1, 1))
    FeedbackFactory(product=product, text="新的")
    params = {"converted": "false", "received_after": "2025-01-01"}
    qs = FeedbackFilterSet(params, queryset=product.feedback_items.all()).qs
    assert [f.text for f in qs] == ["新的"]


def test_product_filter_options_use_the_english_name_in_english():
    from django.utils import translation

    ProductFactory(code="CC-77", name="白金信用卡", name_en="Platinum Card")
    ProductFactory(code="CC-78", name="无英文名卡", name_en="")
    with translation.override("en"):
        options = [str(label) for _value, label in RequirementFilterSet({}).form.fields["product"].choices]
    assert "CC-77 Platinum Card" in options and "CC-78 无英文名卡" in options
    with translation.override("zh-hans"):
        options = [str(label) for _value, label in RequirementFilterSet({}).form.fields["product"].choices]
    assert "CC-77 白金信用卡" in options
