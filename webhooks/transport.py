"""Sending one signed webhook body: SSRF guard (resolved once per delivery), 10 s timeout, no redirects.

The target's host is resolved once; every address it resolves to must be public unless an `AllowedNetwork` names
it, and the connection goes to the first of those very addresses (a second lookup could answer otherwise: DNS
rebinding). HTTPS still verifies the certificate against the host name.
"""
import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

TIMEOUT_SECONDS = 10
SIGNATURE_HEADER = "X-BankPM-Signature"
TIMESTAMP_HEADER = "X-BankPM-Timestamp"
EVENT_HEADER = "X-BankPM-Event"


class TargetRefused(Exception):
    """The target may not be called (scheme, host, or an address in a private range not allow-listed)."""


@dataclass
class Outcome:
    status_code: int | None
    error: str


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_header(secrets: list[str], body: bytes) -> str:
    """One `sha256=` per valid secret (two during a rotation's overlap), comma-separated."""
    return ",".join(signature(secret, body) for secret in secrets)


def _is_internal(address) -> bool:
    return (address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
            or address.is_multicast or address.is_unspecified
            or (address.version == 6 and address.ipv4_mapped is not None and _is_internal(address.ipv4_mapped)))


def resolve(url: str, allowed: list[str]) -> tuple[str, int, str]:
    """(host, port, address to connect to) for `url`, or TargetRefused."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused(_("目标地址必须是 http(s) URL。"))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise TargetRefused(_("无法解析目标主机：%(error)s") % {"error": error}) from error
    networks = [ipaddress.ip_network(n, strict=False) for n in allowed]
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for address in addresses:
        if _is_internal(address) and not any(address in network for network in networks):
            raise TargetRefused(_("目标地址 %(address)s 属于内网、本机或链路本地网段，且不在允许列表中。")
                                % {"address": address})
    return parts.hostname, port, str(addresses[0])


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a resolved address, the certificate checked against the host name."""

    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def post(url: str, body: bytes, headers: dict, *, allowed: list[str]) -> Outcome:
    """POST once; a redirect is an answer like any other (not followed): only 2xx counts as delivered."""
    try:
        host, port, address = resolve(url, allowed)
    except TargetRefused as error:
        return Outcome(None, str(error))
    parts = urlsplit(url)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address, timeout=TIMEOUT_SECONDS)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers={**headers, "Content-Type": "application/json",
                                                             "User-Agent": "BankPM-Webhooks/1"})
        response = connection.getresponse()
        response.read(65536)  # a bounded read: the answer's body is not kept
        return Outcome(response.status, "")
    except (OSError, http.client.HTTPException) as error:
        return Outcome(None, f"{type(error).__name__}: {error}"[:300])
    finally:
        connection.close()
