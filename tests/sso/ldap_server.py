"""A real OpenLDAP (Debian's slapd) for the tests: its own config and database in a temporary directory, on a free
port of 127.0.0.1, seeded with people and groups."""
import shutil
import socket
import subprocess
import time
from pathlib import Path

import ldap
import ldap.modlist

SLAPD = "/usr/sbin/slapd"
BASE = "dc=bank,dc=example"
ROOT_DN = f"cn=admin,{BASE}"
ROOT_PASSWORD = "root-secret"
PEOPLE = f"ou=people,{BASE}"
GROUPS = f"ou=groups,{BASE}"
PASSWORD = "ldap-pass-123"
CONFIG = """
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
pidfile {dir}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "{base}"
rootdn "{root}"
rootpw {password}
directory {dir}/data
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Directory:
    """A running slapd; `uri`, and helpers to move people between groups."""

    def __init__(self, root: Path):
        self.root = root
        self.port = free_port()
        self.uri = f"ldap://127.0.0.1:{self.port}"
        self.process = None

    def start(self):
        (self.root / "data").mkdir(parents=True)
        (self.root / "slapd.conf").write_text(CONFIG.format(dir=self.root, base=BASE, root=ROOT_DN,
                                                            password=ROOT_PASSWORD))
        self.process = subprocess.Popen([SLAPD, "-d", "0", "-h", f"{self.uri}/", "-f", str(self.root / "slapd.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"slapd exited: {self.process.stderr.read().decode()}")
            try:
                self.connection().unbind_s()
                return self
            except ldap.SERVER_DOWN:
                time.sleep(0.1)
        raise RuntimeError("slapd did not start in 20 s")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)

    def connection(self):
        connection = ldap.initialize(self.uri)
        connection.simple_bind_s(ROOT_DN, ROOT_PASSWORD)
        return connection

    def add(self, dn: str, attributes: dict):
        encoded = {k: [v.encode() for v in (vs if isinstance(vs, list) else [vs])] for k, vs in attributes.items()}
        connection = self.connection()
        connection.add_s(dn, ldap.modlist.addModlist(encoded))
        connection.unbind_s()

    def seed(self, people: dict[str, list[str]]):
        """`{"alice": ["risk-reviewers"], ...}`: each person (password PASSWORD) and the groups they are in."""
        self.add(BASE, {"objectClass": ["dcObject", "organization"], "dc": "bank", "o": "Bank"})
        self.add(PEOPLE, {"objectClass": "organizationalUnit", "ou": "people"})
        self.add(GROUPS, {"objectClass": "organizationalUnit", "ou": "groups"})
        for uid in people:
            self.add(self.person(uid), {"objectClass": ["inetOrgPerson"], "uid": uid, "cn": uid, "sn": uid.title(),
                                        "givenName": uid, "mail": f"{uid}@bank.example", "userPassword": PASSWORD})
        groups = sorted({g for names in people.values() for g in names})
        for group in groups:
            members = [self.person(uid) for uid, names in people.items() if group in names]
            self.add(self.group(group), {"objectClass": "groupOfNames", "cn": group, "member": members})

    @staticmethod
    def person(uid: str) -> str:
        return f"uid={uid},{PEOPLE}"

    @staticmethod
    def group(name: str) -> str:
        return f"cn={name},{GROUPS}"

    def set_member(self, group: str, uid: str, member: bool):
        connection = self.connection()
        operation = ldap.MOD_ADD if member else ldap.MOD_DELETE
        connection.modify_s(self.group(group), [(operation, "member", [self.person(uid).encode()])])
        connection.unbind_s()
