"""Writes of the person's settings."""

from __future__ import annotations

from sqlalchemy import update

from lms.accounts.models import User
from lms.db import session
from lms.times import zone_named
from lms.validation import Refused


class SettingRefused(Refused):
    """A setting that was not saved; the message says why."""


def set_time_zone(user_id: int, name: str) -> str:
    """Save the person's time zone (an IANA name); commits. SettingRefused for an unknown
    name, nothing written."""
    name = (name or "").strip()
    if zone_named(name) is None:
        raise SettingRefused(
            "That is not a time zone we know: choose one from the list, such as "
            "America/Chicago or Europe/London."
        )
    db = session()
    db.execute(
        update(User)
        .where(User.id == user_id)
        .values(time_zone=name)
        .execution_options(synchronize_session=False)
    )
    db.commit()
    return name


def adopt_browser_zone(user_id: int, name: str) -> bool:
    """Save the zone the browser reported, only while the person has chosen none (a later
    report never overrides their choice); commits. False when nothing was saved."""
    if zone_named((name or "").strip()) is None:
        return False
    db = session()
    result = db.execute(
        update(User)
        .where(User.id == user_id, User.time_zone.is_(None))
        .values(time_zone=name.strip())
        .execution_options(synchronize_session=False)
    )
    db.commit()
    return result.rowcount == 1
