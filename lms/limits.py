"""Rate limits (Flask-Limiter), keyed by the client's address.

The address is ``request.remote_addr``: X-Forwarded-For counts only when the standalone app is
told to trust proxies (``LMS_TRUSTED_PROXIES``, applied by ProxyFix), so a client cannot dodge
a limit by inventing headers.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def client_address() -> str:
    """The client's address; never empty (Flask-Limiter skips a limit whose key is empty, and
    a unix-socket server may pass no address)."""
    return get_remote_address() or "no-address"


limiter = Limiter(key_func=client_address, default_limits=[], headers_enabled=True)


def init_limits(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["LMS_RATELIMIT_STORAGE_URI"])
    limiter.init_app(app)


def config_limit(key: str) -> Callable[[], str]:
    """A limit read from the app's settings at request time (so each app may set its own)."""
    return lambda: current_app.config[key]
