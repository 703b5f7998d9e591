"""One beat at a time: a beat started by mistake beside the running one sends nothing until the first is gone.

The beat that holds a Redis lock (`SET NX` with a time to live, renewed on every tick by its holder only) sends
the schedule; another beat checks again every few seconds and takes over once the holder stops renewing (it died
or was stopped). Without a Redis broker (the embedded default runs tasks eagerly) there is nothing to guard.
"""
from __future__ import annotations

import logging
import os
import socket
import uuid

import redis
from celery.beat import PersistentScheduler

log = logging.getLogger(__name__)

LOCK_KEY = "bankpm:beat:lock"
LOCK_TTL = 30  # seconds: how long a dead beat keeps the schedule before another may take over
RETRY_EVERY = 5.0
# Renew the lock only if we still hold it (one round trip, atomic).
RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('expire', KEYS[1], ARGV[2]) else return 0 end"


class SingleBeatScheduler(PersistentScheduler):
    """Celery's persistent scheduler that only sends while it holds the beat lock."""

    def __init__(self, *args, **kwargs):
        self.lock_token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._redis = None
        super().__init__(*args, **kwargs)

    def _client(self):
        if self._redis is None:
            url = self.app.conf.broker_url or ""
            self._redis = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2) \
                if url.startswith("redis") else False
        return self._redis

    def holds_lock(self) -> bool:
        client = self._client()
        if client is False:
            return True
        try:
            if client.set(LOCK_KEY, self.lock_token, nx=True, ex=LOCK_TTL):
                log.info("beat lock taken by %s", self.lock_token)
                return True
            return bool(client.eval(RENEW, 1, LOCK_KEY, self.lock_token, LOCK_TTL))
        except redis.RedisError as error:
            # Without Redis no task can be sent anyway; wait rather than risk two beats.
            log.warning("beat lock unavailable: %s", error.__class__.__name__)
            return False

    def tick(self, *args, **kwargs):
        if not self.holds_lock():
            return RETRY_EVERY
        return super().tick(*args, **kwargs)

    def close(self):
        client = self._client()
        if client:
            try:
                client.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
                            "else return 0 end", 1, LOCK_KEY, self.lock_token)
            except redis.RedisError:
                pass
        super().close()
