"""Liveness (``/healthz``: the process answers, nothing else touched) and readiness
(``/readyz``: what this host needs to serve, each part named)."""

from __future__ import annotations

from flask import Blueprint, current_app, request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from lms.db import session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    return {"status": "ok"}, 200


@bp.get("/readyz")
def readyz() -> tuple[dict[str, object], int]:
    """503 when this host cannot serve: the database or the signing keys fail. A rate-limit
    store that is down only degrades the limits (each process counts in its own memory), so
    it is reported without taking every host out of the load balancer at once; ``?strict=1``
    makes it a 503 too, for monitoring."""
    database = _database_problem()
    checks = {
        "database": database,
        "rate_limit_store": _rate_limit_store_problem(),
        # Read from the database: not worth asking while that is down.
        "signing_keys": _signing_keys_problem() if database is None else None,
    }
    failed = [name for name, problem in checks.items() if problem]
    fatal = [name for name in failed if name != "rate_limit_store" or request.args.get("strict")]
    status = "unavailable" if fatal else ("degraded" if failed else "ok")
    shown = {name: problem or "ok" for name, problem in checks.items()}
    if database is not None:
        shown["signing_keys"] = "not checked: they are read from the database"
    body = {"status": status, "checks": shown, "failed": failed}
    return body, 503 if fatal else 200


def _database_problem() -> str | None:
    try:
        session().execute(text("SELECT 1"))
        session().rollback()
    except SQLAlchemyError as exc:
        session().rollback()
        current_app.logger.warning("Readiness: the database does not answer: %s", exc)
        return f"does not answer ({exc.__class__.__name__})"
    return None


def _rate_limit_store_problem() -> str | None:
    from lms.limits import limiter

    try:
        reachable = limiter.storage.check()
    except Exception as exc:  # noqa: BLE001 (any client error means: not reachable)
        reachable = False
        current_app.logger.warning("Readiness: the rate-limit store fails: %s", exc)
    if reachable:
        return None
    return "unreachable: each process counts rate limits in its own memory meanwhile"


def _signing_keys_problem() -> str | None:
    from lms.awards.issuer import signing_key_problem

    try:
        return signing_key_problem()
    except SQLAlchemyError as exc:
        session().rollback()
        return f"cannot be read ({exc.__class__.__name__})"
