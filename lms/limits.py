"""Rate limits (Flask-Limiter), keyed by the client's address.

The address is ``request.remote_addr``: X-Forwarded-For counts only when the standalone app is
told to trust proxies (``LMS_TRUSTED_PROXIES``, applied by ProxyFix), so a client cannot dodge
a limit by inventing headers.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from flask.logging import default_handler
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage import MemoryStorage


def client_address() -> str:
    """The client's address; never empty (Flask-Limiter skips a limit whose key is empty, and
    a unix-socket server may pass no address)."""
    return get_remote_address() or "no-address"


limiter = Limiter(key_func=client_address, default_limits=[], headers_enabled=True)


class SweptMemoryStorage(MemoryStorage):
    """limits' in-process storage (``memory://``), swept of expired counters on use.

    The stock one starts a timer thread for its sweep whenever the last one has finished,
    which under load is one thread start every few requests: a visible share of a fast
    page's cost. Its counters already expire when read, so the sweep only frees memory and
    can run inline, at most once a second.
    """

    STORAGE_SCHEME = ["lms-memory"]
    SWEEP_SECONDS = 1.0

    def __init__(self, uri: str | None = None, **options: Any) -> None:
        super().__init__(uri, **options)
        self.timer.cancel()
        self._next_sweep = 0.0

    # limits calls this (name-mangled) hook on every hit; pinned to limits 5 in pyproject.
    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802
        moment = time.time()
        if moment >= self._next_sweep:
            self._next_sweep = moment + self.SWEEP_SECONDS
            # limits' sweep is written for its own thread: a counter read and expired by another
            # request meanwhile ends it early (KeyError). The next sweep finishes the job.
            with contextlib.suppress(KeyError, RuntimeError):
                self._MemoryStorage__expire_events()  # type: ignore[attr-defined]


def init_limits(app: Flask) -> None:
    uri = app.config["LMS_RATELIMIT_STORAGE_URI"]
    if uri == "memory://":
        uri = "lms-memory://"  # the same storage, without a thread per sweep
    app.config.setdefault("RATELIMIT_STORAGE_URI", uri)
    # A shared store that is down must not take the site down: count in this process's memory
    # meanwhile (Flask-Limiter logs a warning, then checks the store again from time to time),
    # and never turn a failed count into a 500.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    if uri.startswith(("redis://", "rediss://", "redis+")):
        # A store that hangs instead of refusing is as bad as a 500: give up on it quickly.
        timeout = float(app.config["LMS_RATELIMIT_STORAGE_TIMEOUT"])
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS",
            {"socket_connect_timeout": timeout, "socket_timeout": timeout},
        )
    limiter.init_app(app)
    # Flask-Limiter's own logger has only a NullHandler: its warnings would go nowhere under
    # gunicorn. They go where the app's own log goes.
    limiter_log = logging.getLogger("flask-limiter")
    if default_handler not in limiter_log.handlers:
        limiter_log.addHandler(default_handler)


def config_limit(key: str) -> Callable[[], str]:
    """A limit read from the app's settings at request time (so each app may set its own)."""
    return lambda: current_app.config[key]
