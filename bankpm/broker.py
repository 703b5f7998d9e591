"""Handing work to Celery without making a request wait on the broker.

Callers queue with `transaction.on_commit(lambda: publish(...))`; the publish itself runs on a small background
thread pool, so a slow or unreachable broker costs the request nothing. Delivery is not lost: every caller keeps its
own outbox (the notification rows, the kpis TaskRun rows) that a beat sweeper re-publishes. In eager mode (no broker,
and the unit tests) the task runs inline as before.
"""
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from django.db import connections

logger = logging.getLogger(__name__)
_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="broker-publish")
    return _pool


def _send(send: Callable[[], object], what: str, *, background: bool = False) -> None:
    from bankpm.celery import app

    try:
        if background and app.conf.task_always_eager:
            return  # switched to eager since (tests): there is no broker to hand it to, the outbox keeps it
        send()
    except Exception:  # noqa: BLE001 - any broker error; the caller's outbox keeps the work
        logger.warning("Broker unavailable; %s stays in its outbox for the sweeper", what, exc_info=True)
    finally:
        if background:
            # A connection this thread may have opened is its own: never leave it to outlive the work.
            connections.close_all()


def publish(send: Callable[[], object], *, what: str) -> Future | None:
    """Run `send` (an `apply_async`/`delay` call) off the request thread; errors are logged, never raised."""
    from bankpm.celery import app

    if app.conf.task_always_eager:
        _send(send, what)
        return None
    return _executor().submit(_send, send, what, background=True)
