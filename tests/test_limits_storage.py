"""The rate limiter's in-process storage: counters expire, and no thread is started per hit."""

from __future__ import annotations

import threading

from limits.storage import storage_from_string

from lms import limits


def test_the_default_storage_counts_expires_and_sweeps_without_threads(app, monkeypatch):
    storage = storage_from_string("lms-memory://")
    assert isinstance(storage, limits.SweptMemoryStorage)
    clock = [1_000_000.0]
    monkeypatch.setattr(limits.time, "time", lambda: clock[0])
    monkeypatch.setattr("limits.storage.memory.time.time", lambda: clock[0])
    started = []
    monkeypatch.setattr(threading.Thread, "start", lambda self: started.append(self))
    for _ in range(50):
        storage.incr("client", expiry=60)
    assert storage.get("client") == 50
    clock[0] += 61
    assert storage.get("client") == 0  # expired when read
    storage.incr("other", expiry=60)
    assert "client" not in storage.storage  # and swept inline, at most once a second
    assert started == []
    assert app.config["RATELIMIT_STORAGE_URI"] == "lms-memory://"
