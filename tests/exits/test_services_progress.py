"""Migration progress: cumulative counts per segment and day, all-or-nothing with errors per index."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.errors import BulkValidationError, DomainConflict
from core.models import AuditEntry
from exits import selectors, services
from exits.models import ExitProgress
from tests.factories import UserFactory

from .conftest import day, save_plan

pytestmark = pytest.mark.django_db


def record(product, items, **kwargs):
    return services.exit_progress_record(user=product.owner, product=product, items=items, **kwargs)


def item(segment="网点客户", offset=0, migrated=0, closed=0):
    return {"segment": segment, "date": day(offset), "migrated": migrated, "closed": closed}


def bulk_errors(product, items) -> dict:
    with pytest.raises(BulkValidationError) as caught:
        record(product, items)
    return {item["index"]: item["errors"] for item in caught.value.errors}


def test_progress_is_stored_per_segment_and_day(retiring):
    result = record(retiring, [item(migrated=10, closed=2), item("手机银行客户", migrated=5)])
    assert (result.received, result.created, result.replaced) == (2, 2, 0)
    assert ExitProgress.objects.count() == 2


def test_unknown_segment_is_refused_at_its_index(retiring):
    errors = bulk_errors(retiring, [item(migrated=1), item("没有这个客群", migrated=1)])
    assert list(errors) == [1]
    assert "segment" in errors[1]
    assert not ExitProgress.objects.exists()


@pytest.mark.parametrize("field", ["migrated", "closed"])
def test_negative_counts_are_refused(retiring, field):
    errors = bulk_errors(retiring, [item(**{field: -1})])
    assert field in errors[0]


def test_non_integer_counts_are_refused(retiring):
    errors = bulk_errors(retiring, [{**item(), "migrated": 1.5}, {**item(offset=-1), "closed": True}])
    assert "migrated" in errors[0] and "closed" in errors[1]


def test_migrated_plus_closed_above_the_segments_customers_is_refused(retiring):
    errors = bulk_errors(retiring, [item(migrated=60, closed=41)])
    assert "closed" in errors[0]
    record(retiring, [item(migrated=60, closed=40)])


def test_count_lower_than_an_earlier_days_is_refused(retiring):
    record(retiring, [item(offset=-2, migrated=30)])
    errors = bulk_errors(retiring, [item(offset=-1, migrated=20)])
    assert "migrated" in errors[0]
    assert ExitProgress.objects.count() == 1


def test_count_higher_than_a_later_days_is_refused(retiring):
    record(retiring, [item(offset=0, closed=5)])
    errors = bulk_errors(retiring, [item(offset=-3, closed=6)])
    assert "closed" in errors[0]


def test_counts_falling_within_one_batch_are_refused_at_the_later_day(retiring):
    errors = bulk_errors(retiring, [item(offset=-2, migrated=30), item(offset=-1, migrated=10)])
    assert list(errors) == [1]


def test_same_segment_and_day_sent_again_replaces_it(retiring):
    record(retiring, [item(migrated=10)])
    result = record(retiring, [item(migrated=15, closed=1)])
    assert (result.created, result.replaced) == (0, 1)
    assert list(ExitProgress.objects.values_list("migrated", "closed")) == [(15, 1)]


def test_resent_day_may_correct_downwards_when_no_later_day_is_higher(retiring):
    record(retiring, [item(offset=-1, migrated=10), item(offset=0, migrated=20)])
    record(retiring, [item(offset=0, migrated=12)])
    assert ExitProgress.objects.get(date=day(0)).migrated == 12


def test_same_segment_and_day_twice_in_one_batch_is_refused(retiring):
    errors = bulk_errors(retiring, [item(migrated=1), item(migrated=2)])
    assert list(errors) == [1] and "date" in errors[1]


def test_future_dates_are_refused(retiring):
    assert "date" in bulk_errors(retiring, [item(offset=1)])[0]


def test_bad_dates_unknown_and_missing_fields_are_reported_per_index(retiring):
    errors = bulk_errors(retiring, [{"segment": "网点客户", "date": "2026/01/01", "migrated": 0, "closed": 0},
                                    {"segment": "网点客户", "date": day(0), "migrated": 0, "extra": 1},
                                    "not an object"])
    assert "date" in errors[0]
    assert set(errors[1]) == {"extra", "closed"}
    assert "non_field_errors" in errors[2]


def test_every_bad_item_is_reported_and_nothing_is_written(retiring):
    errors = bulk_errors(retiring, [item(migrated=1), item("x"), item(migrated=-1, offset=-1), item(offset=9)])
    assert list(errors) == [1, 2, 3]
    assert not ExitProgress.objects.exists()


@pytest.mark.parametrize("body", [[], {"segment": "网点客户"}, "text"])
def test_body_must_be_a_non_empty_list(retiring, body):
    with pytest.raises(ValidationError):
        record(retiring, body)


def test_dry_run_validates_and_writes_nothing(retiring):
    result = record(retiring, [item(migrated=3)], dry_run=True)
    assert result.dry_run and result.received == 1
    assert not ExitProgress.objects.exists()
    assert not AuditEntry.objects.filter(action="exit_progress_recorded").exists()


def test_upload_is_audited_with_old_and_new_counts(retiring):
    record(retiring, [item(migrated=3)])
    record(retiring, [item(migrated=4)])
    entry = AuditEntry.objects.filter(action="exit_progress_recorded").order_by("-id").first()
    assert entry.changes == [{"field": f"网点客户@{day(0)}", "old": {"migrated": 3, "closed": 0},
                              "new": {"migrated": 4, "closed": 0}}]


def test_an_upload_is_audited_on_the_plan_with_the_number_of_rows(retiring):
    record(retiring, [item(migrated=3), item(segment="手机银行客户", migrated=1)])
    entry = AuditEntry.objects.get(action="exit_progress_recorded")
    assert (entry.actor, entry.product, entry.object_id, entry.to_value) == (
        retiring.owner, retiring, str(retiring.exit_plan.pk), "2 条")


def test_progress_before_retirement_is_a_conflict(product, requirement):
    save_plan(product, requirement)
    with pytest.raises(DomainConflict) as caught:
        record(product, [item(migrated=1)])
    assert caught.value.code == "exit_not_in_retirement"


def test_progress_without_a_plan_is_a_conflict(owner):
    from tests.factories import ProductFactory

    product = ProductFactory(owner=owner, stage="retirement")
    with pytest.raises(DomainConflict) as caught:
        record(product, [item()])
    assert caught.value.code == "exit_plan_missing"


def test_another_product_manager_may_not_send_progress(retiring):
    with pytest.raises(PermissionDenied):
        services.exit_progress_record(user=UserFactory(username="intruder"), product=retiring, items=[item()])


def test_segments_report_customers_migrated_closed_remaining_and_migrated_pct(retiring):
    record(retiring, [item(offset=-1, migrated=10), item(offset=0, migrated=40, closed=10),
                      item("手机银行客户", migrated=50)])
    segments = selectors.plan_segments(plan=retiring.exit_plan)
    rows = [(s.name, s.customers, s.migrated, s.closed, s.remaining, s.migrated_pct) for s in segments]
    assert rows == [("网点客户", 100, 40, 10, 50, 40.0), ("手机银行客户", 50, 50, 0, 0, 100.0)]
    assert selectors.totals(segments) == {"customers": 150, "migrated": 90, "closed": 10, "remaining": 50,
                                          "migrated_pct": 60.0}


def test_segment_of_no_customers_has_no_migrated_pct(retiring, requirement, reviewers):
    segments = [{"name": "网点客户", "customers": 0}, {"name": "手机银行客户", "customers": 50}]
    # Lowered below the approved plan: an exit reviewer's.
    plan = save_plan(retiring, requirement, segments=segments, user=reviewers["compliance"])
    segments = selectors.plan_segments(plan=plan)
    assert segments[0].migrated_pct is None and segments[0].remaining == 0


def test_burndown_carries_each_segments_remaining_forward(retiring):
    record(retiring, [item(offset=-2, migrated=20), item("手机银行客户", offset=-1, closed=50),
                      item(offset=0, migrated=100)])
    plan = retiring.exit_plan
    chart = selectors.burndown(plan=plan, segments=selectors.plan_segments(plan=plan))
    assert chart["dates"] == [day(-2), day(-1), day(0)]
    assert chart["series"] == [{"name": "网点客户", "values": [80, 80, 0]},
                               {"name": "手机银行客户", "values": [50, 0, 0]}]
    assert chart["remaining"] == [130, 80, 0]
