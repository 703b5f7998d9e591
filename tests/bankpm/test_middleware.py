"""Security headers on every response, and no inline script left for the CSP to block."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ["templates", "accounts", "products", "lifecycle", "requirements", "kpis", "notifications", "bankpm"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/login/", "/kpis/", "/products/", "/api/v1/products/", "/healthz"])
def test_every_response_carries_the_csp_referrer_and_permissions_policies(client, pm, url):
    client.force_login(pm)
    response = client.get(url)
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["object-src"] == "'none'"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for app in APPS:
        for template in (ROOT / app).rglob("*.html"):
            text = template.read_text(encoding="utf-8")
            if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+=[\"']", text):
                offenders.append(str(template.relative_to(ROOT)))
    assert offenders == []


def test_a_sign_in_by_another_path_brings_the_saved_language_too(client, db):
    """Single sign-on logs in without the sign-in form: the saved language still applies, then lives in the cookie."""
    from django.conf import settings

    from tests.factories import UserFactory

    client.force_login(UserFactory(username="sso_english", language="en"))
    response = client.get("/products/")
    assert "Product catalogue" in response.content.decode()
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_the_cookie_still_wins_over_the_saved_language(client, db):
    from django.conf import settings

    from tests.factories import UserFactory

    client.force_login(UserFactory(username="sso_cookie", language="en"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "产品目录" in client.get("/products/").content.decode()
