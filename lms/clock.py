"""The current time, injectable: tests replace ``app.extensions["lms"].clock``."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, has_app_context


def system_clock() -> datetime:
    """Naive UTC: what every timestamp column stores, on SQLite and PostgreSQL alike."""
    return datetime.now(UTC).replace(tzinfo=None)


def now() -> datetime:
    if has_app_context() and "lms" in current_app.extensions:
        return current_app.extensions["lms"].clock()
    return system_clock()
