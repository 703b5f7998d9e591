"""One domain-error hierarchy: the API shapes every app always had, and the page mapping."""
from django import forms
from django.core.exceptions import ValidationError

from bankpm.api.exceptions import exception_handler
from core.errors import BulkValidationError, DomainConflict, add_form_errors, error_messages
from kpis.services import StateConflict
from requirements.services import TransitionRefused


def test_a_conflict_with_a_code_is_a_409_with_detail_and_code():
    response = exception_handler(TransitionRefused("不能交付", code="transition_not_allowed"), {})
    assert (response.status_code, response.data) == (409, {"detail": "不能交付", "code": "transition_not_allowed"})


def test_the_kpi_alert_conflict_keeps_its_detail_only_body():
    response = exception_handler(StateConflict("该预警已解除。"), {})
    assert (response.status_code, response.data) == (409, {"detail": "该预警已解除。"})


def test_bulk_errors_are_a_400_listed_by_index_whether_given_as_a_list_or_a_dict():
    listed = exception_handler(BulkValidationError([{"index": 2, "errors": {"metric": ["x"]}}]), {})
    keyed = exception_handler(BulkValidationError({2: {"metric": ["x"]}}), {})
    assert listed.status_code == keyed.status_code == 400
    assert listed.data == keyed.data == {"errors": [{"index": 2, "errors": {"metric": ["x"]}}]}


def test_the_app_errors_are_the_core_ones():
    assert issubclass(StateConflict, DomainConflict) and issubclass(TransitionRefused, DomainConflict)
    import kpis.services
    import requirements.services

    assert kpis.services.BulkValidationError is requirements.services.BulkValidationError is BulkValidationError


class _Form(forms.Form):
    name = forms.CharField(required=False)


def test_field_errors_land_on_their_field_and_the_rest_on_top():
    form = _Form({"name": "x"})
    form.is_valid()
    add_form_errors(form, ValidationError({"name": "太短", "owner": "请选择"}))
    assert form.errors == {"name": ["太短"], "__all__": ["请选择"]}


def test_a_conflict_becomes_a_non_field_error_on_a_form():
    form = _Form({})
    form.is_valid()
    add_form_errors(form, DomainConflict("review_already_open", "已有评审"))
    assert form.non_field_errors() == ["已有评审"]
    assert error_messages(DomainConflict("x", "已有评审")) == ["已有评审"]


def test_a_conflict_about_a_field_lands_on_that_field_and_the_api_body_names_it():
    conflict = DomainConflict("planned_in_past", "计划发布日期不能早于今天。", field="name")
    form = _Form({})
    form.is_valid()
    add_form_errors(form, conflict)
    assert form.errors == {"name": ["计划发布日期不能早于今天。"]}
    response = exception_handler(conflict, {})
    assert (response.status_code, response.data) == (409, {"detail": "计划发布日期不能早于今天。",
                                                           "code": "planned_in_past", "field": "name"})


def test_a_conflict_about_a_field_the_form_lacks_goes_on_top():
    form = _Form({})
    form.is_valid()
    add_form_errors(form, DomainConflict("product_fixed", "需求创建后不能更换产品。", field="product"))
    assert form.non_field_errors() == ["需求创建后不能更换产品。"]
