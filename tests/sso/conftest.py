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
