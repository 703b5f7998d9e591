import pytest
from rest_framework.test import APIClient

from tests.factories import PASSWORD


def test_login_page_signs_in_and_redirects_home(client, pm):
    response = client.post("/login/", {"username": pm.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/products/").status_code == 200


def test_wrong_password_shows_the_form_again_with_an_error(client, pm):
    response = client.post("/login/", {"username": pm.username, "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_logout_ends_the_session(client, pm):
    client.force_login(pm)
    client.post("/logout/")
    response = client.get("/products/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_pages_require_login(client, db):
    response = client.get("/products/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_token_endpoint_refuses_bad_credentials_with_400(pm):
    response = APIClient().post("/api/v1/auth/token/", {"username": pm.username, "password": "bad"}, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()


@pytest.mark.parametrize("attempts", [5])
def test_repeated_failures_lock_the_account_out_even_with_the_right_password(pm, settings, attempts):
    settings.AXES_FAILURE_LIMIT = attempts
    client = APIClient()
    for _ in range(attempts):
        client.post("/api/v1/auth/token/", {"username": pm.username, "password": "bad"}, format="json")
    response = client.post("/api/v1/auth/token/", {"username": pm.username, "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert "锁定" in response.json()["detail"]


def test_me_endpoint_reports_role_and_departments(reviewer):
    client = APIClient()
    client.force_authenticate(reviewer)
    body = client.get("/api/v1/me/").json()
    assert body["role"] == "reviewer"
    assert body["departments"] == ["risk"]


def test_locked_out_login_page_explains_the_lockout_in_the_users_language(client, pm, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        client.post("/login/", {"username": pm.username, "password": "bad"})
    response = client.post("/login/", {"username": pm.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "账户已被暂时锁定" in response.content.decode()


def test_overlong_credentials_are_a_400_naming_the_field_not_a_500(db):
    body = {"username": "x" * 300, "password": "p"}
    response = APIClient().post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400
    assert "username" in response.json()


def test_failures_for_unknown_users_do_not_lock_others_out_of_the_same_address(pm, settings):
    settings.AXES_FAILURE_LIMIT = 5
    client = APIClient()
    for n in range(6):
        client.post("/api/v1/auth/token/", {"username": f"ghost{n}", "password": "bad"}, format="json")
        client.post("/api/v1/auth/token/", {"username": "ghost", "password": "bad"}, format="json")
    response = client.post("/api/v1/auth/token/", {"username": pm.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200 and response.json()["token"]
