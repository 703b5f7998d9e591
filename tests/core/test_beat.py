"""The beat lock (core/beat.py) against the test Redis: a second beat sends nothing while the first runs."""
import time

import pytest
import redis

from bankpm.celery import app
from core import beat


class RecordingScheduler(beat.SingleBeatScheduler):
    """Records what it would send instead of sending it."""

    def __init__(self, *args, **kwargs):
        self.sent = []
        super().__init__(*args, **kwargs)

    def apply_entry(self, entry, producer=None):
        self.sent.append(entry.name)


@pytest.fixture
def lock_store(settings):
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(beat.LOCK_KEY)
    app.conf.broker_url = settings.CELERY_BROKER_URL
    yield client
    client.delete(beat.LOCK_KEY)


def scheduler(tmp_path, name):
    made = RecordingScheduler(app=app, schedule_filename=str(tmp_path / name), lazy=False)
    made.update_from_dict({"probe": {"task": "core.tasks.compact_row_counts", "schedule": 0.01}})
    return made


def test_a_second_beat_sends_nothing_while_the_first_holds_the_lock(tmp_path, lock_store):
    first, second = scheduler(tmp_path, "a"), scheduler(tmp_path, "b")
    time.sleep(0.05)
    for _ in range(3):
        first.tick()
        assert second.tick() == beat.RETRY_EVERY
        time.sleep(0.02)
    assert "probe" in first.sent and second.sent == []


def test_the_second_beat_takes_over_when_the_first_stops(tmp_path, lock_store):
    first, second = scheduler(tmp_path, "a"), scheduler(tmp_path, "b")
    assert first.holds_lock() and not second.holds_lock()
    first.close()
    time.sleep(0.05)
    second.tick()
    assert second.holds_lock() and "probe" in second.sent


def test_a_dead_beats_lock_expires(tmp_path, lock_store):
    first, second = scheduler(tmp_path, "a"), scheduler(tmp_path, "b")
    assert first.holds_lock()
    assert 0 < lock_store.ttl(beat.LOCK_KEY) <= beat.LOCK_TTL  # it does not outlive a beat that stops renewing
    lock_store.expire(beat.LOCK_KEY, 0)
    assert second.holds_lock() and not first.holds_lock()
