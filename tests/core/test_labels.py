"""The label registry: codes, fields, related ids, lists and dicts in the reader's language."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core import labels
from core.audit import audit_record
from core.models import AuditEntry
from tests.factories import ProductFactory, UserFactory


def test_a_code_is_named_by_the_choices_of_its_own_field():
    assert labels.code_label("mass_market", model="product", field="customer_segment") != "mass_market"


def test_an_unknown_code_is_shown_as_it_is():
    assert labels.code_label("no_such_code") == "no_such_code"


def test_a_reverse_relation_is_named_by_the_related_models_plural():
    from risks.models import RiskControl

    assert labels.field_label("risk", "controls") == str(RiskControl._meta.verbose_name_plural)


def test_a_terms_change_names_its_fields_and_codes_as_the_product_does():
    assert labels.field_label("change", "sales_channels") == labels.field_label("product", "sales_channels")
    assert labels.value_text(["branch", "mobile_banking"], model="change", field="sales_channels") != (
        "branch、mobile_banking")


@pytest.mark.parametrize(("language", "text"), [("zh-hans", "甲、乙"), ("en", "甲, 乙")])
def test_a_list_is_joined_with_the_languages_separator(language, text):
    with translation.override(language):
        assert labels.value_text(["甲", "乙"]) == text


def test_a_dict_is_shown_as_labelled_pairs_not_a_repr():
    with translation.override("en"):
        text = labels.value_text({"closed": 80, "migrated": 560}, model="exitplan")
    assert "{" not in text and "80" in text and "560" in text and "closed" not in text


@pytest.mark.parametrize("value", [None, "", []])
def test_an_empty_value_is_a_dash(value):
    assert labels.value_text(value) == "—"


def test_object_types_offer_no_bookkeeping_model():
    codes = {code for code, _label in labels.object_types()}
    assert {"product", "risk", "exitplan", "change"} <= codes
    assert not codes & {"rowcountdelta", "auditentry", "auditcheckpoint", "notification", "observation"}


@pytest.mark.django_db
def test_related_ids_of_a_page_of_entries_are_named_in_one_query_per_related_model():
    owners = UserFactory.create_batch(3)
    products = [ProductFactory(owner=owner) for owner in owners]
    for product, owner in zip(products, owners, strict=True):
        audit_record(action="product_updated", product=product, obj=product,
                     changes=[{"field": "owner", "old": None, "new": owner.pk}])
    entries = list(AuditEntry.objects.order_by("id"))
    with CaptureQueriesContext(connection) as queries:
        labels.describe_changes(entries)
    assert len(queries) == 1
    assert [e.described[0]["new"] for e in entries] == [str(o) for o in owners]
