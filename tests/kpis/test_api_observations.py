"""POST /api/v1/metrics/observations/: all-or-nothing, errors per index, replacement, limits."""
import json
from datetime import date, timedelta

import pytest
from rest_framework.test import APIClient

from kpis.choices import IngestError
from kpis.models import Observation
from tests.factories import ProductFactory
from tests.helpers import api

pytestmark = pytest.mark.django_db
URL = "/api/v1/metrics/observations/"


def post(user, items, **kwargs):
    return api(user).post(URL, json.dumps(items), content_type="application/json", **kwargs)


@pytest.fixture
def product(pm):
    return ProductFactory(code="CC-T", owner=pm)


def item(**overrides):
    return {"product": "CC-T", "metric": "revenue", "date": "2026-10-01", "value": 12.5, **overrides}


def test_valid_items_are_stored_and_counted_as_created(pm, product):
    response = post(pm, [item(), item(date="2026-10-02", value=7)])
    assert response.status_code == 200, response.content
    assert response.json() == {"received": 2, "created": 2, "updated": 0, "dry_run": False}
    assert sorted(Observation.objects.values_list("date", "value")) == [(date(2026, 10, 1), 12.5),
                                                                       (date(2026, 10, 2), 7.0)]


def test_sending_the_same_day_again_replaces_the_value(pm, product):
    post(pm, [item(value=1)])
    response = post(pm, [item(value=2)])
    assert response.json()["updated"] == 1
    assert list(Observation.objects.values_list("value", flat=True)) == [2.0]


def test_errors_are_reported_per_index_and_nothing_is_written(pm, product):
    items = [item(), item(product="NOPE"), item(metric="x"), item(date="2026-02-30"), item(value="12"),
             item(date="2026-10-05", colour="red"), item(metric="profit"), item(value=None)]
    response = post(pm, items)
    assert response.status_code == 400
    assert response.json() == {"errors": [
        {"index": 1, "errors": {"product": ["未知产品代码 'NOPE'。"]}},
        {"index": 2, "errors": {"metric": ["未知指标代码 'x'。"]}},
        {"index": 3, "errors": {"date": ["日期格式必须是 YYYY-MM-DD。"]}},
        {"index": 4, "errors": {"value": ["数值必须是有限的数字。"]}},
        {"index": 5, "errors": {"colour": ["未知字段。"]}},
        {"index": 6, "errors": {"metric": ["该指标由系统计算，不能直接提交。"]}},
        {"index": 7, "errors": {"value": ["该字段是必填项。"]}},
    ]}
    assert not Observation.objects.exists()


def test_a_bad_day_repeated_later_in_the_batch_is_refused_each_time(pm, product):
    items = [item(date="2026-13-01"), item(date="2026-10-02"), item(date="2026-13-01", metric="cost"),
             item(date="2026-10-02", value=True), item(date="2026-10-02", valu=1, value=None) | {"value": 3}]
    response = post(pm, items)
    assert response.status_code == 400
    assert [(e["index"], sorted(e["errors"])) for e in response.json()["errors"]] == [
        (0, ["date"]), (2, ["date"]), (3, ["value"]), (4, ["valu"])]
    assert not Observation.objects.exists()


def test_an_item_without_a_metric_is_refused_as_required_on_the_metric_and_nothing_is_written(pm, product):
    response = post(pm, [item(), item(metric=None)])
    assert response.status_code == 400
    assert response.json() == {"errors": [{"index": 1, "errors": {"metric": ["该字段是必填项。"]}}]}
    assert not Observation.objects.exists()


def test_an_item_whose_date_is_a_number_is_refused_as_a_bad_date(pm, product):
    response = post(pm, [item(date=20261001)])
    assert response.status_code == 400
    assert response.json() == {"errors": [{"index": 0, "errors": {"date": ["日期格式必须是 YYYY-MM-DD。"]}}]}
    assert not Observation.objects.exists()


def test_non_finite_number_is_refused(pm, product):
    body = '[{"product": "CC-T", "metric": "revenue", "date": "2026-10-01", "value": 1e400}]'
    response = api(pm).post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0] == {"index": 0, "errors": {"value": ["数值必须是有限的数字。"]}}


def test_backlog_metric_cannot_be_typed_in(pm, product):
    response = post(pm, [item(metric="requirements_delivered")])
    assert response.json()["errors"][0]["errors"] == {"metric": ["该指标由系统计算，不能直接提交。"]}


def test_duplicate_day_in_one_request_names_the_first_index(pm, product):
    response = post(pm, [item(), item(value=3)])
    assert response.status_code == 400
    assert response.json()["errors"] == [{"index": 1, "errors": {"date": ["与第 0 项重复（同一产品、指标和日期）。"]}}]


def test_body_that_is_not_a_list_is_refused(pm, product):
    response = post(pm, item())
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["请求体必须是 JSON 数组。"]}


def test_product_manager_cannot_send_figures_for_someone_elses_product(pm, other_pm):
    ProductFactory(code="CC-OTHER", owner=other_pm)
    response = post(pm, [item(product="CC-OTHER")])
    assert response.json()["errors"] == [{"index": 0, "errors": {"product": ["您不是该产品的产品经理。"]}}]


@pytest.mark.parametrize(("who", "status"), [("pm", 200), ("head", 200), ("admin_user", 200), ("reviewer", 403),
                                             ("executive", 403)])
def test_who_may_send_figures(request, product, who, status):
    assert post(request.getfixturevalue(who), [item()]).status_code == status


def test_anonymous_is_refused(product):
    assert APIClient().post(URL, [item()], format="json").status_code == 401


def many(n):
    start = date(1990, 1, 1)
    return [item(date=(start + timedelta(days=i)).isoformat(), value=i) for i in range(n)]


def test_ten_thousand_items_are_accepted(pm, product):
    response = post(pm, many(10_000))
    assert response.status_code == 200
    assert response.json()["created"] == 10_000
    assert Observation.objects.count() == 10_000


def test_ten_thousand_and_one_items_are_refused_with_a_clear_message(pm, product):
    response = post(pm, many(10_001))
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["单次最多提交 10,000 条观测值，本次收到 10,001 条；请分批提交。"]}
    assert not Observation.objects.exists()


def test_dry_run_validates_and_writes_nothing(pm, product):
    response = api(pm).post(URL + "?dry_run=true", [item()], format="json")
    assert response.json() == {"received": 1, "created": 0, "updated": 0, "dry_run": True}
    assert not Observation.objects.exists()


@pytest.mark.parametrize("value", ["null", "maybe", ""])
def test_a_dry_run_that_is_no_boolean_is_a_400_and_writes_nothing(pm, product, value):
    """The schema declares a boolean: `dry_run=null` was taken as false and the figures written."""
    response = api(pm).post(f"{URL}?dry_run={value}", [item()], format="json")
    assert response.status_code == 400 and "dry_run" in response.json()
    assert not Observation.objects.exists()


def test_a_dry_run_spelled_false_writes(pm, product):
    assert api(pm).post(URL + "?dry_run=false", [item()], format="json").json()["dry_run"] is False


def test_a_batch_mixing_new_and_known_days_counts_each_and_stores_both(pm, product):
    post(pm, [item()])
    response = post(pm, [item(value=99), item(date="2026-10-02", value=3)])
    assert response.json() == {"received": 2, "created": 1, "updated": 1, "dry_run": False}
    assert sorted(Observation.objects.values_list("date", "value")) == [(date(2026, 10, 1), 99.0),
                                                                       (date(2026, 10, 2), 3.0)]


def test_a_product_with_observations_is_never_deleted_so_none_are_orphaned(pm, product):
    # Observations carry no database foreign key (ingestion speed); products are never hard-deleted instead.
    from core.retention import HardDeleteRefused

    post(pm, [item()])
    with pytest.raises(HardDeleteRefused):
        product.delete()
    assert Observation.objects.filter(product_id=product.pk).count() == 1


def test_codes_given_as_objects_or_lists_are_errors_by_index(pm, product):
    response = post(pm, [item(metric={}), item(product=["CC-T"]), item(date="2026-10-03")])
    assert response.status_code == 400
    assert [e["index"] for e in response.json()["errors"]] == [0, 1]
    assert not Observation.objects.exists()


def test_an_integer_too_large_for_a_float_is_refused_per_index(pm):
    ProductFactory(code="CC-T", owner=pm)
    body = '[{"product": "CC-T", "metric": "revenue", "date": "2026-10-01", "value": 1' + "0" * 400 + "}]"
    response = api(pm).post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"errors": [{"index": 0, "errors": {"value": ["数值必须是有限的数字。"]}}]}
    assert not Observation.objects.exists()


def test_a_manager_may_not_send_figures_for_another_managers_product(pm, other_pm, head):
    ProductFactory(code="CC-O", owner=other_pm)
    item = {"product": "CC-O", "metric": "revenue", "date": "2026-10-01", "value": 1.0}
    refused = api(pm).post(URL, [item], format="json")
    assert refused.status_code == 400
    mine_only = str(IngestError.NOT_YOUR_PRODUCT.label)
    assert refused.json() == {"errors": [{"index": 0, "errors": {"product": [mine_only]}}]}
    assert not Observation.objects.exists()
    assert api(head).post(URL, [item], format="json").status_code == 200
    assert Observation.objects.count() == 1


@pytest.mark.parametrize("bad", ["\x00X", "\ud800"])
@pytest.mark.parametrize("field", ["product", "metric", "date"])
def test_nul_and_lone_surrogate_codes_are_a_400_for_that_item_not_a_500(head, bad, field):
    item = {"product": "P", "metric": "revenue", "date": "2026-10-01", "value": 1}
    item[field] = bad
    # Escaped as JSON allows ("\\ud800"); the client's own renderer could not encode a lone surrogate.
    body = json.dumps([item], ensure_ascii=True)
    response = api(head).post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert not Observation.objects.exists()
    assert field in response.json()["errors"][0]["errors"]


def test_negative_complaint_count_is_refused_per_item_and_nothing_is_written(pm, product):
    response = post(pm, [item(), item(metric="complaints", value=-3)])
    assert response.status_code == 400
    assert response.json() == {"errors": [{"index": 1, "errors": {"value": ["客户投诉数 不能小于 0。"]}}]}
    assert not Observation.objects.exists()


def test_a_rate_above_one_hundred_is_refused(pm, product):
    response = post(pm, [item(metric="default_rate", value=120)])
    assert response.json() == {"errors": [{"index": 0, "errors": {"value": ["不良率 必须在 0 到 100 之间。"]}}]}


def test_figures_on_the_bounds_of_the_range_are_accepted(pm, product):
    response = post(pm, [item(metric="default_rate", value=0), item(metric="market_share", value=100)])
    assert response.status_code == 200, response.content


def test_a_metric_without_a_range_accepts_negative_figures(pm, product):
    from kpis.models import Metric

    Metric.objects.filter(code="revenue").update(min_value=None, max_value=None)
    assert post(pm, [item(value=-5)]).status_code == 200


@pytest.mark.parametrize("day", ["9999-12-31", "0233-01-01", "1969-12-31", "2100-01-01"])
def test_a_date_outside_the_years_a_figure_can_have_is_refused_per_item_and_nothing_is_written(pm, product, day):
    response = post(pm, [item(), item(date=day)])
    assert response.status_code == 400, response.content
    assert response.json() == {"errors": [{"index": 1, "errors": {"date": [IngestError.DATE_OUT_OF_RANGE.label]}}]}
    assert not Observation.objects.exists()


def test_figures_on_the_first_and_last_day_allowed_are_accepted(pm, product):
    from django.utils import timezone

    response = post(pm, [item(date="1970-01-01"), item(date=timezone.localdate().isoformat())])
    assert response.status_code == 200, response.content
    assert Observation.objects.count() == 2


@pytest.mark.parametrize("fast", [True, False])
def test_a_figure_dated_after_today_is_refused_at_its_index_and_nothing_is_written(pm, product, fast):
    from django.utils import timezone

    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    items = [item(), item(date=tomorrow)] if fast else [item(), {**item(date=tomorrow), "value": "x"}, item(
        date=tomorrow, metric="csat", value=80)]
    response = post(pm, items)
    assert response.status_code == 400
    errors = {e["index"]: e["errors"] for e in response.json()["errors"]}
    assert errors[len(items) - 1] == {"date": [IngestError.DATE_IN_FUTURE.label]}
    assert not Observation.objects.exists()
