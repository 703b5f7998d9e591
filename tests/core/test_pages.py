"""core.pages: a service's refusal on a page, in the API's shape for a script's POST."""
import json

from django.core.exceptions import PermissionDenied, ValidationError

from bankpm.api.exceptions import exception_handler
from core.errors import DomainConflict
from core.pages import error_json


def body_and_status(error):
    response = error_json(error)
    return json.loads(response.content), response.status_code


def test_a_conflict_answers_409_with_its_detail_and_code():
    assert body_and_status(DomainConflict("transition_not_allowed", "不允许")) == (
        {"detail": "不允许", "code": "transition_not_allowed"}, 409)


def test_a_refused_user_answers_403_with_a_detail():
    assert body_and_status(PermissionDenied("无权")) == ({"detail": "无权"}, 403)


def test_invalid_input_answers_400_keyed_by_field():
    error = ValidationError({"reason": ["请填写理由。"], "__all__": ["不可移动。"]})
    assert body_and_status(error) == ({"reason": ["请填写理由。"], "non_field_errors": ["不可移动。"]}, 400)


def test_a_page_endpoint_and_the_api_answer_a_conflict_alike():
    conflict = DomainConflict("product_fixed", "需求创建后不能更换产品。", field="product")
    api = exception_handler(conflict, {})
    assert body_and_status(conflict) == (dict(api.data), api.status_code)
