"""The check-in token an event's QR code carries: itsdangerous, its own salt, the event id as
payload, valid until the event's end plus the check-in grace (read from the LMS clock, so
tests move time instead of sleeping)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from lms.clock import now
from lms.db import session
from lms.events.models import Event
from lms.times import local_text

CHECKIN_SALT = "lms-event-checkin"
UTC_ZONE = ZoneInfo("UTC")


class CheckinTokenRefused(ValueError):
    """A token that does not check anyone in; the message says why, for the attendee."""


class _ClockSigner(TimestampSigner):
    """Reads the LMS clock, so signing times follow injected time in tests."""

    def get_timestamp(self) -> int:
        return int(now().replace(tzinfo=UTC).timestamp())


def _serializer() -> URLSafeTimedSerializer:
    config = current_app.config
    # itsdangerous signs with the last key and accepts all: old keys keep printed QRs working.
    keys = [*(config.get("SECRET_KEY_FALLBACKS") or []), config["SECRET_KEY"]]
    return URLSafeTimedSerializer(keys, salt=CHECKIN_SALT, signer=_ClockSigner)


def checkin_grace() -> timedelta:
    return timedelta(minutes=int(current_app.config["LMS_CHECKIN_GRACE_MINUTES"]))


def token_expires_at(event: Event) -> datetime:
    """When the event's check-in links stop working: its end plus the grace."""
    return event.ends_at + checkin_grace()


def make_checkin_token(event: Event) -> str:
    return _serializer().dumps(event.id)


def read_checkin_token(token: str, zone: ZoneInfo = UTC_ZONE) -> Event:
    """The event of a genuine, unexpired token; CheckinTokenRefused otherwise (its times in
    ``zone``, the attendee's)."""
    try:
        event_id = _serializer().loads(token)
    except BadData:
        raise CheckinTokenRefused(
            "This check-in link is not valid: scan the code again or type the event's "
            "check-in code instead."
        ) from None
    event = (
        session().get(Event, event_id)
        if isinstance(event_id, int) and not isinstance(event_id, bool) and 0 < event_id < 2**31
        else None
    )
    if event is None:  # signed by us, but the event is gone
        raise CheckinTokenRefused("This check-in link is not valid: the event no longer exists.")
    expires = token_expires_at(event)
    if now() > expires:
        raise CheckinTokenRefused(
            f"This check-in link expired on {local_text(expires, zone)}, "
            f"after the event “{event.title}” ended."
        )
    return event
