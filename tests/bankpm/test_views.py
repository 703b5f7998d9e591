"""Styled error pages in the reader's language, with the service's reason for a refusal."""
import pytest
from django.conf import settings

from tests.factories import UserFactory


def test_refused_page_shows_the_services_reason_in_chinese(client, db):
    client.force_login(UserFactory(role="reviewer", username="risk_x", departments=["risk"]))
    response = client.get("/kpis/scorecards/?quarter=2026-Q3")
    body = response.content.decode()
    assert response.status_code == 403
    assert "您无权查看产品经理考核。" in body
    assert 'id="navbar-menu"' in body


def test_refused_page_is_in_english_for_an_english_reader(client, db):
    client.force_login(UserFactory(role="reviewer", username="risk_y", departments=["risk"]))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/kpis/upload/").content.decode()
    assert "Access denied" in body
    assert "Only product managers, heads of product and administrators may use this page." in body


def test_unknown_url_gets_the_styled_page_without_url_patterns(client, db):
    client.force_login(UserFactory(username="pm_404"))
    response = client.get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in body
    assert "URLconf" not in body and "api/v1/" not in body


def test_server_error_page_renders_without_a_request_context(rf):
    from django.utils import translation

    from bankpm.views import server_error

    # The language an earlier request of this thread activated would otherwise carry over.
    with translation.override(settings.LANGUAGE_CODE):
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "服务器错误" in response.content.decode()


def _database_down(*args, **kwargs):
    from django.db import OperationalError

    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


def test_a_page_whose_database_is_down_answers_503_with_retry_after(client, db, monkeypatch):
    from products import views

    client.force_login(UserFactory(username="pm_503"))
    monkeypatch.setattr(views.ProductListView, "get", _database_down)
    client.raise_request_exception = False
    response = client.get("/products/")
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert "服务暂时不可用" in response.content.decode()


def test_the_api_whose_database_is_down_answers_503_in_json(client, db, monkeypatch):
    from products.api import views

    client.force_login(UserFactory(username="pm_503_api"))
    monkeypatch.setattr(views.ProductViewSet, "list", _database_down)
    client.raise_request_exception = False
    response = client.get("/api/v1/products/")
    assert (response.status_code, response.json()["code"]) == (503, "service_unavailable")


def test_another_error_is_still_a_500(client, db, monkeypatch):
    from products import views

    client.force_login(UserFactory(username="pm_500"))
    monkeypatch.setattr(views.ProductListView, "get", lambda *a, **k: 1 / 0)
    client.raise_request_exception = False
    assert client.get("/products/").status_code == 500


def test_favicon_ico_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code in (301, 302)
    assert response["Location"].endswith("img/favicon.svg")


def test_signing_in_applies_the_language_the_user_chose_last_time(client, db):
    from tests.factories import PASSWORD

    UserFactory(username="pm_english", language="en")
    response = client.post("/login/", {"username": "pm_english", "password": PASSWORD})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Product catalogue" in client.get("/products/").content.decode()


def test_signing_in_keeps_chinese_for_a_user_who_never_switched(client, db):
    from tests.factories import PASSWORD

    UserFactory(username="pm_chinese")
    response = client.post("/login/", {"username": "pm_chinese", "password": PASSWORD})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert "产品目录" in client.get("/products/").content.decode()


def test_a_refused_sign_in_sets_no_language(client, db):
    UserFactory(username="pm_wrong", language="en")
    response = client.post("/login/", {"username": "pm_wrong", "password": "not-it"})
    assert response.status_code == 200
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_a_language_picked_on_the_sign_in_page_wins_and_is_saved(client, db):
    from tests.factories import PASSWORD

    user = UserFactory(username="pm_picked")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post("/login/", {"username": "pm_picked", "password": PASSWORD})
    user.refresh_from_db()
    assert user.language == "en"
    assert "Product catalogue" in client.get("/products/").content.decode()


@pytest.mark.parametrize("path", ["/products/", "/requirements/", "/requirements/versions/", "/requirements/feedback/",
                                  "/kpis/alerts/", "/risks/", "/audit/"])
def test_filter_forms_say_all_instead_of_dashes(client, db, path):
    client.force_login(UserFactory(username="head_filters", role="head_of_product"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(path).content.decode()
    form = body[body.index('id="filter-form"'):body.index("</form>", body.index('id="filter-form"'))]
    assert "---------" not in form and "Unknown" not in form
    assert '<option value="" selected>Any</option>' in form or 'placeholder="Any"' in form


def test_punctuation_follows_the_readers_language():
    from django.utils import translation

    from bankpm.text import colon, list_join

    with translation.override("en"):
        assert (list_join(["Branch", "Mobile banking"]), colon()) == ("Branch, Mobile banking", ": ")
    with translation.override("zh-hans"):
        assert (list_join(["网点", "手机银行"]), colon()) == ("网点、手机银行", "：")


def test_clauses_are_joined_in_the_readers_language():
    from django.utils import translation

    from bankpm.text import clause_join

    with translation.override("en"):
        assert clause_join(["Name is required", "Count must be a whole number"]) == (
            "Name is required; Count must be a whole number")
    with translation.override("zh-hans"):
        assert clause_join(["名称不能为空", "数量须为整数"]) == "名称不能为空；数量须为整数"
