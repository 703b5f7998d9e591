import pytest

from tests.sso.ldap_server import Directory

# People of the test directory and their groups; `nobody` is in no group BankPM maps.
PEOPLE = {"alice": ["risk-reviewers", "staff"], "bob": ["product-managers", "staff"], "carol": ["staff"],
          "dora": ["risk-reviewers", "staff"]}


@pytest.fixture(scope="session")
def directory(tmp_path_factory):
    server = Directory(tmp_path_factory.mktemp("slapd")).start()
    server.seed(PEOPLE)
    yield server
    server.stop()


# People of the test identity provider (`sub` -> claims).
OIDC_ACCOUNTS = {
    "u-erin": {"preferred_username": "erin", "email": "erin@bank.example", "given_name": "Erin", "family_name": "Li",
               "groups": ["bankpm-compliance", "staff"]},
    "u-finn": {"preferred_username": "finn", "email": "finn@bank.example", "groups": ["staff"]},
}


@pytest.fixture(scope="session")
def identity_provider(tmp_path_factory):
    from tests.sso.oidc_server import IdentityProvider

    server = IdentityProvider(tmp_path_factory.mktemp("oidc"), "http://testserver/oidc/callback/")
    server.start(OIDC_ACCOUNTS)
    yield server
    server.stop()
