"""OpenID Connect sign-on against a real provider (the npm `oidc-provider` package, run with node): the
authorization code flow end to end — the provider's own login, its token, JWKS and userinfo endpoints, no mock."""
import re
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model

from accounts.models import Department
from core.models import AuditEntry
from sso.choices import Provider
from sso.models import DirectoryIdentity, DirectoryRule
from tests.sso.conftest import OIDC_ACCOUNTS
from tests.sso.oidc_server import CLIENT_ID, CLIENT_SECRET

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def oidc_on(settings, identity_provider):
    issuer = identity_provider.issuer
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "sso.backends.DirectoryOIDCBackend"]
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{issuer}/auth"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{issuer}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{issuer}/me"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{issuer}/jwks"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid profile email groups"
    settings.OIDC_STORE_ACCESS_TOKEN = True
    settings.BANKPM_OIDC_LABEL = "行内统一认证"
    identity_provider.set_accounts(OIDC_ACCOUNTS)
    yield identity_provider
    identity_provider.set_accounts(OIDC_ACCOUNTS)


@pytest.fixture
def rules(db):
    rule = DirectoryRule.objects.create(provider=Provider.OIDC, group="bankpm-compliance", role="reviewer")
    rule.departments.set(Department.objects.filter(code="compliance"))
    return [rule, DirectoryRule.objects.create(provider=Provider.OIDC, group="staff")]


def sign_in_with_provider(client, login):
    """Start at BankPM, sign in on the provider's own pages, come back to BankPM's callback with the code."""
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302
    browser = requests.Session()
    url = start["Location"]
    for _hop in range(10):
        if url.startswith("http://testserver/"):
            parts = urlsplit(url)
            return client.get(f"{parts.path}?{parts.query}")
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code == 200 and "<form" in response.text:  # the provider's login page
            action = urljoin(url, re.search(r'action="([^"]+)"', response.text).group(1))
            response = browser.post(action, data={"prompt": "login", "login": login, "password": "any"},
                                    allow_redirects=False, timeout=10)
        assert response.status_code in (302, 303), response.text[:500]
        url = urljoin(url, response.headers["Location"])
    raise AssertionError("the provider did not send the browser back")


def test_the_login_page_offers_the_provider(client, oidc_on):
    page = client.get("/login/").content.decode()
    assert "行内统一认证" in page and "/oidc/authenticate/" in page


def test_the_login_page_offers_no_provider_when_none_is_configured(client):
    assert "/oidc/authenticate/" not in client.get("/login/").content.decode()


def test_a_provider_user_signs_in_with_the_role_and_departments_of_their_groups(client, oidc_on, rules):
    response = sign_in_with_provider(client, "u-erin")
    assert response.status_code == 302 and "/login" not in response["Location"], response
    erin = User.objects.get(username="erin")
    assert (erin.role, erin.department_codes, erin.email, erin.last_name) == (
        "reviewer", {"compliance"}, "erin@bank.example", "Li")
    assert DirectoryIdentity.objects.get(user=erin).subject == "u-erin"
    assert AuditEntry.objects.filter(action="directory_membership_synced", object_id=str(erin.pk)).exists()
    assert client.get("/notifications/").status_code == 200


def test_a_provider_user_no_rule_gives_a_role_is_refused(client, oidc_on, rules):
    response = sign_in_with_provider(client, "u-finn")
    assert client.get("/notifications/").status_code == 302
    assert response.status_code == 302
    assert not User.objects.get(username="finn").is_active


def test_a_user_dropped_from_the_provider_groups_loses_access_at_the_next_request(client, oidc_on, rules):
    sign_in_with_provider(client, "u-erin")
    assert client.get("/notifications/").status_code == 200
    oidc_on.set_accounts({**OIDC_ACCOUNTS, "u-erin": {**OIDC_ACCOUNTS["u-erin"], "groups": ["staff"]}})
    response = client.get("/notifications/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    erin = User.objects.get(username="erin")
    assert not erin.is_active and erin.department_codes == set()
    assert AuditEntry.objects.filter(action="directory_access_revoked", object_id=str(erin.pk)).exists()


def test_the_same_person_signing_in_again_is_the_same_user_with_the_groups_of_now(client, oidc_on, rules):
    sign_in_with_provider(client, "u-erin")
    client.logout()
    oidc_on.set_accounts({**OIDC_ACCOUNTS, "u-erin": {**OIDC_ACCOUNTS["u-erin"],
                                                      "groups": ["bankpm-compliance", "bankpm-risk", "staff"]}})
    rule = DirectoryRule.objects.create(provider=Provider.OIDC, group="bankpm-risk")
    rule.departments.set(Department.objects.filter(code="risk"))
    sign_in_with_provider(client, "u-erin")
    assert User.objects.filter(username="erin").count() == 1
    assert User.objects.get(username="erin").department_codes == {"compliance", "risk"}
