"""Signed, expiring, single-use password-reset tokens (itsdangerous, their own salt)."""

from __future__ import annotations

from datetime import UTC

from flask import current_app
from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from lms.accounts.models import User
from lms.clock import now

RESET_SALT = "lms.password-reset"


class _ClockSigner(TimestampSigner):
    """Reads the LMS clock, so expiry follows injected time in tests."""

    def get_timestamp(self) -> int:
        return int(now().replace(tzinfo=UTC).timestamp())


def _serializer() -> URLSafeTimedSerializer:
    config = current_app.config
    # itsdangerous signs with the last key and accepts all: old keys keep links working.
    keys = [*(config.get("SECRET_KEY_FALLBACKS") or []), config["SECRET_KEY"]]
    return URLSafeTimedSerializer(keys, salt=RESET_SALT, signer=_ClockSigner)


def make_reset_token(user: User) -> str:
    return _serializer().dumps({"uid": user.id, "fp": user.password_fingerprint})


def read_reset_token(token: str) -> tuple[int, str] | None:
    """The user id and fingerprint inside a genuine, unexpired token; None otherwise."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["LMS_RESET_TOKEN_MAX_AGE"])
    except BadData:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        return None
    return data["uid"], str(data.get("fp", ""))


def token_matches(user: User, fingerprint: str) -> bool:
    return user.password_fingerprint == fingerprint
