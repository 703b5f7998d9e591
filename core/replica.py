"""Reads from a streaming replica, for the pages that tolerate a few seconds of lag.

Only configured when `DATABASE_REPLICA_URL` is set (bankpm/settings/base.py); without it nothing here runs. A GET
to a view named in `BANKPM_REPLICA_VIEWS` reads from the replica when all of these hold:
- the client wrote nothing in the last `BANKPM_READ_YOUR_WRITES` seconds (a cookie set on every unsafe request:
  after a POST the user's own reads stay on the primary, so they see what they just wrote);
- the replica answered its health probe (cached `PROBE_TTL` seconds per process) and lags at most
  `BANKPM_REPLICA_MAX_LAG` seconds.
A replica that fails during the request is marked down and the view runs again on the primary (GETs write
nothing), so a dying replica costs a retry, never a 500. Writes always go to the primary.
"""
from __future__ import annotations

import contextvars
import logging
import time

from django.conf import settings
from django.db import OperationalError, connections

log = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "bankpm_primary"
PROBE_TTL = 2.0
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

_reading_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("bankpm_replica", default=False)
# process-wide health: (checked at, healthy)
_health = {"at": 0.0, "ok": False}

# How far the replica is behind: 0 once it has replayed everything the primary had written when asked (read on the
# primary first), else the age of its last replayed transaction. An idle primary does not make a caught-up replica
# look late, and a replica that has just restarted counts as caught up as soon as it has replayed the primary's WAL.
PRIMARY_LSN_SQL = "SELECT pg_current_wal_lsn()::text"
REPLICA_LAG_SQL = (
    "SELECT COALESCE(pg_last_wal_replay_lsn() >= %s::pg_lsn, false), "
    "COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)"
)


# Who is signed in, and their session, are always read where they were written: a session replicated a moment
# late would sign the user out.
PRIMARY_ONLY_APPS = {"sessions", "accounts", "auth", "axes", "authtoken"}


class ReplicaRouter:
    """Sends a request's reads to the replica when the middleware chose it; everything else to the primary."""

    def db_for_read(self, model, **hints):
        if _reading_replica.get() and model._meta.app_label not in PRIMARY_ONLY_APPS:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def replica_lag() -> float:
    """The replica's lag in seconds (raises when it cannot be reached)."""
    with connections["default"].cursor() as cursor:
        cursor.execute(PRIMARY_LSN_SQL)
        primary_lsn = cursor.fetchone()[0]
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(REPLICA_LAG_SQL, [primary_lsn])
        caught_up, age = cursor.fetchone()
    return 0.0 if caught_up else float(age)


def replica_healthy(*, now: float | None = None) -> bool:
    """Whether the replica may serve reads: probed at most every PROBE_TTL seconds per process."""
    now = time.monotonic() if now is None else now
    if now - _health["at"] < PROBE_TTL:
        return _health["ok"]
    try:
        ok = replica_lag() <= settings.BANKPM_REPLICA_MAX_LAG
    except Exception as error:  # noqa: BLE001 - any failure means "read the primary"
        log.warning("replica unavailable: %s", error.__class__.__name__)
        connections[REPLICA].close()
        ok = False
    _health.update(at=now, ok=ok)
    return ok


def mark_replica_down() -> None:
    _health.update(at=time.monotonic(), ok=False)
    try:
        connections[REPLICA].close()
    except Exception:  # noqa: BLE001 - closing a broken connection may fail too
        pass


def may_read_replica(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return (
        "core.replica.ReplicaRouter" in settings.DATABASE_ROUTERS
        and request.method in SAFE_METHODS
        and match is not None
        and match.view_name in settings.BANKPM_REPLICA_VIEWS
        and PIN_COOKIE not in request.COOKIES
        and replica_healthy()
    )


class ReplicaMiddleware:
    """Chooses the database of a request's reads; pins a client that just wrote to the primary for a while."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _reading_replica.set(False)
        try:
            response = self.get_response(request)
            response["X-BankPM-Read"] = "replica" if _reading_replica.get() else "primary"
        finally:
            _reading_replica.reset(token)
        if request.method not in SAFE_METHODS:
            response.set_cookie(PIN_COOKIE, "1", max_age=settings.BANKPM_READ_YOUR_WRITES, httponly=True,
                                samesite="Lax", secure=request.is_secure())
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if may_read_replica(request):
            _reading_replica.set(True)

    def process_exception(self, request, exception):
        if not (_reading_replica.get() and isinstance(exception, OperationalError)):
            return None
        log.warning("replica failed during %s; reading the primary", request.path)
        mark_replica_down()
        _reading_replica.set(False)
        match = request.resolver_match
        response = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response


def reading_replica() -> bool:
    """Whether this request's reads go to the replica (for tests and the response header)."""
    return _reading_replica.get()
