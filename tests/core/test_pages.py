"""core.pages: a service's refusal on a page, in the API's shape for a script's POST."""
import json

import pytest
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


@pytest.mark.django_db
def test_a_signed_out_visitor_of_a_form_page_is_sent_to_sign_in(client):
    response = client.get("/products/new/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_a_form_page_takes_its_permission_from_the_service(client, reviewer):
    client.force_login(reviewer)  # products.services.product_can_edit: reviewers manage no products
    response = client.get("/products/new/")
    assert response.status_code == 403
    assert "只有产品经理、产品负责人和管理员可以使用该页面。" in response.content.decode()
