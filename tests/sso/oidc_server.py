"""Starts tests/sso/oidc_provider.mjs (node and the npm `oidc-provider` package) on a free port of 127.0.0.1."""
import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from django.conf import settings

from tests.sso.ldap_server import free_port

SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
CLIENT_ID = "bankpm"
CLIENT_SECRET = "bankpm-client-secret"


def provider_module() -> Path:
    """The package's entry point: from the project's node_modules (package.json devDependencies), or from
    OIDC_PROVIDER_DIR (a node_modules holding it)."""
    root = Path(os.environ.get("OIDC_PROVIDER_DIR") or settings.BASE_DIR / "node_modules")
    return root / "oidc-provider" / "lib" / "index.js"


class IdentityProvider:
    def __init__(self, root: Path, redirect_uri: str):
        self.root = root
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.accounts_file = root / "accounts.json"
        self.redirect_uri = redirect_uri
        self.process = None

    def set_accounts(self, accounts: dict):
        self.accounts_file.write_text(json.dumps(accounts))

    def start(self, accounts: dict):
        self.set_accounts(accounts)
        env = {"PATH": os.environ.get("PATH", ""), "PORT": str(self.port), "CLIENT_ID": CLIENT_ID,
               "CLIENT_SECRET": CLIENT_SECRET, "REDIRECT_URI": self.redirect_uri,
               "ACCOUNTS_FILE": str(self.accounts_file), "OIDC_PROVIDER_MODULE": str(provider_module())}
        self.process = subprocess.Popen([shutil.which("node") or "node", str(SCRIPT)], env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"oidc-provider exited: {self.process.stderr.read().decode()}")
            try:
                with urllib.request.urlopen(f"{self.issuer}/.well-known/openid-configuration", timeout=2):
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("oidc-provider did not start in 30 s")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
