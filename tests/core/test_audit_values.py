"""How values and action codes enter the audit trail: stable renderings for diffs, and names in the reader's
language for the codes each app registers."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.db import models

from core import audit, labels
from core.models import AuditEntry
from products.models import Product
from tests.factories import ProductFactory


class FreezeAction(models.TextChoices):
    FROZEN = "test_frozen", "冻结（测试）"
    THAWED = "test_thawed", "解冻（测试）"


@pytest.fixture
def registered():
    before = dict(audit._ACTION_LABELS)
    audit.register_actions(FreezeAction)
    yield
    audit._ACTION_LABELS.clear()
    audit._ACTION_LABELS.update(before)


class FreezeState(models.TextChoices):
    ICED = "test_iced", "冰封（测试）"


@pytest.fixture
def registered_values():
    before = dict(labels._CODES)
    audit.register_value_labels(FreezeAction, FreezeState)
    yield
    labels._CODES.clear()
    labels._CODES.update(before)


def test_a_registered_action_is_named_by_its_label(registered):
    assert audit.action_label("test_frozen") == "冻结（测试）"


def test_an_unknown_action_is_shown_as_its_code():
    assert audit.action_label("no_such_action") == "no_such_action"


def test_action_choices_hold_every_registered_code_sorted_by_code(registered):
    choices = audit.action_choices()
    assert ("test_frozen", "冻结（测试）") in choices and ("test_thawed", "解冻（测试）") in choices
    assert [code for code, _label in choices] == sorted(code for code, _label in choices)


def test_the_apps_register_their_actions_at_start_up():
    assert audit.action_label("step_approved") != "step_approved"
    assert audit.action_label("review_submitted") != "review_submitted"


def test_every_set_of_value_codes_registered_together_is_named_by_its_labels(registered_values):
    assert [audit.value_label(code) for code in ("test_frozen", "test_thawed", "test_iced")] == [
        "冻结（测试）", "解冻（测试）", "冰封（测试）"]


def test_an_unknown_value_is_shown_as_its_code():
    assert audit.value_label("no_such_value") == "no_such_value"


def test_the_apps_register_the_codes_they_store_in_from_and_to_values_at_start_up():
    assert (audit.value_label("planning"), audit.value_label("R3")) != ("planning", "R3")


def test_object_types_are_the_projects_models_named_by_their_verbose_names_sorted_by_code():
    choices = audit.object_type_choices()
    assert ("product", "产品") in choices and ("user", "用户") in choices and ("requirement", "需求") in choices
    assert [code for code, _label in choices] == sorted(code for code, _label in choices)


def test_object_types_leave_out_history_tables_and_the_libraries_models():
    codes = {code for code, _label in audit.object_type_choices()}
    assert "historicalrequirement" not in codes
    assert not codes & {"group", "permission", "session", "token", "accessattempt", "contenttype"}


def test_an_object_type_is_named_by_its_verbose_name_and_an_unknown_one_by_its_code():
    assert (audit.object_type_label("product"), audit.object_type_label("nosuchmodel")) == ("产品", "nosuchmodel")


def test_a_diffs_field_is_named_by_its_verbose_name():
    assert audit.field_label("product", "owner") == "产品经理"


@pytest.mark.parametrize(("model_name", "field"), [("product", "no_such_field"), ("nosuchmodel", "no_such_key")])
def test_a_field_of_an_unknown_model_or_an_unknown_field_is_named_by_its_code(model_name, field):
    assert audit.field_label(model_name, field) == field


@pytest.mark.parametrize(("value", "rendered"), [
    (None, None), (True, True), (7, 7), ("R2", "R2"),
    (Decimal("1.50"), "1.5"), (Decimal("2.00"), "2"), (Decimal("0.125"), "0.125"), (Decimal("100"), "100"),
    (2.5, "2.5"),
    (date(2026, 11, 30), "2026-11-30"),
    (datetime(2026, 11, 30, 9, 15, tzinfo=timezone(timedelta(hours=8))), "2026-11-30T09:15:00+08:00"),
    ([Decimal("1.0"), 2], ["1", 2]), ((3, 1), [3, 1]), ({3, 1, 2}, [1, 2, 3]), (frozenset({"b", "a"}), ["a", "b"]),
    ({2, "b", 10}, [10, 2, "b"]),  # a set of ids and codes: in the order of their text
    ({1: Decimal("1.50")}, {"1": "1.5"}),
    (timedelta(days=1), "1 day, 0:00:00"),
])
def test_values_are_rendered_stably_for_the_diff(value, rendered):
    assert audit.audit_value(value) == rendered


@pytest.mark.django_db
def test_a_model_instance_is_rendered_as_its_id():
    product = ProductFactory()
    assert audit.audit_value(product) == product.pk


@pytest.mark.django_db
def test_field_values_render_plain_fields_foreign_keys_and_many_to_many():
    product = ProductFactory(interest_rate=Decimal("1.5000"), sales_channels=["mobile_banking", "branch"])
    values = audit.field_values(product, ["name", "interest_rate", "owner", "sales_channels"])
    assert values == {"name": product.name, "interest_rate": "1.5", "owner": product.owner_id,
                      "sales_channels": sorted(product.sales_channels.values_list("pk", flat=True))}
    assert len(values["sales_channels"]) == 2


def test_field_values_of_an_unsaved_product_have_no_many_to_many_ids():
    assert audit.field_values(Product(name="新"), ["name", "sales_channels"]) == {"name": "新", "sales_channels": []}


def test_the_diff_lists_changed_fields_only_in_the_order_of_the_new_values():
    before = {"fee": Decimal("1.50"), "name": "A", "risk_rating": "R2"}
    after = {"risk_rating": "R3", "name": "A", "fee": Decimal("2")}
    assert audit.diff(before, after) == [{"field": "risk_rating", "old": "R2", "new": "R3"},
                                         {"field": "fee", "old": "1.5", "new": "2"}]


def test_a_field_new_in_the_after_values_is_a_change_from_none():
    assert audit.diff({}, {"fee": Decimal("2")}) == [{"field": "fee", "old": None, "new": "2"}]


@pytest.mark.django_db
def test_an_entry_recorded_with_nothing_but_its_action_stores_empty_values():
    entry = audit.audit_record(action="test_frozen")
    entry.refresh_from_db()
    assert (entry.actor, entry.product, entry.object_type, entry.object_id) == (None, None, "", "")
    assert (entry.from_value, entry.to_value, entry.comment, entry.changes) == ("", "", "", [])
    assert entry.prev_hash == audit.GENESIS_HASH and entry.entry_hash == entry.compute_hash()


@pytest.mark.django_db
def test_long_values_are_cut_to_the_columns_width_and_an_anonymous_actor_is_not_kept():
    from django.contrib.auth.models import AnonymousUser

    entry = audit.audit_record(action="test_frozen", actor=AnonymousUser(), from_value="甲" * 250, to_value=12,
                               comment="说明" * 200)
    entry.refresh_from_db()
    assert entry.actor is None
    assert (len(entry.from_value), entry.to_value, len(entry.comment)) == (200, "12", 400)


@pytest.mark.django_db
def test_an_edit_is_recorded_with_its_diff_and_the_changed_fields_named_in_from_value(pm):
    product = ProductFactory(name="旧", fee=Decimal("1.50"))
    before = audit.field_values(product, ["name", "fee", "risk_rating"])
    product.name, product.fee = "新", Decimal("2")
    entry = audit.audit_edit(action="test_frozen", actor=pm, obj=product, before=before, product=product,
                             fields=["name", "fee", "risk_rating"], comment="改名")
    entry.refresh_from_db()
    assert (entry.action, entry.actor, entry.product, entry.object_type, entry.object_id) == (
        "test_frozen", pm, product, "product", str(product.pk))
    assert (entry.from_value, entry.comment) == ("name, fee", "改名")
    assert entry.changes == [{"field": "name", "old": "旧", "new": "新"}, {"field": "fee", "old": "1.5", "new": "2"}]


@pytest.mark.django_db
def test_an_edit_that_changes_no_audited_field_records_nothing(pm):
    product = ProductFactory()
    before = audit.field_values(product, ["name"])
    product.fee = Decimal("9")
    assert audit.audit_edit(action="test_frozen", actor=pm, obj=product, before=before, fields=["name"]) is None
    assert not AuditEntry.objects.filter(action="test_frozen").exists()

