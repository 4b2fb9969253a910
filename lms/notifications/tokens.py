"""The signed link in every notification e-mail that opens the reader's e-mail preferences
without signing in (itsdangerous, its own salt, expiring, read with the LMS clock)."""

from __future__ import annotations

from datetime import UTC

from flask import current_app
from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from lms.clock import now

PREFERENCES_SALT = "lms.notification-preferences"
#: How long the link in an e-mail keeps working; after that the page asks to sign in.
LINK_MAX_AGE_SECONDS = 90 * 24 * 3600


class _ClockSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(now().replace(tzinfo=UTC).timestamp())


def _serializer() -> URLSafeTimedSerializer:
    config = current_app.config
    # Signed with the newest key, accepted under any: a key rotation keeps old links working.
    keys = [*(config.get("SECRET_KEY_FALLBACKS") or []), config["SECRET_KEY"]]
    return URLSafeTimedSerializer(keys, salt=PREFERENCES_SALT, signer=_ClockSigner)


def make_preferences_token(user_id: int) -> str:
    return _serializer().dumps({"uid": user_id})


def read_preferences_token(token: str) -> int | None:
    """The user id inside a genuine, unexpired token; None otherwise."""
    if len(token) > 500:
        return None
    try:
        data = _serializer().loads(token, max_age=LINK_MAX_AGE_SECONDS)
    except BadData:
        return None
    uid = data.get("uid") if isinstance(data, dict) else None
    return uid if isinstance(uid, int) and not isinstance(uid, bool) else None
