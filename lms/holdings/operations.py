"""The certifications a person holds: their numbers (printed on certificates and rosters) and
the dates they were certified (the anchors of their renewal cycles)."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.catalogue.models import Certification, Holding
from lms.db import session

NUMBER_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./_-]{0,39}")
#: No trade certification predates this; an earlier date is a typing slip.
EARLIEST = date(1950, 1, 1)


class HoldingRefused(ValueError):
    """The entry was refused; the message says why and ``field`` names the field."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def holdings_of(user_id: int) -> list[Holding]:
    return list(
        session().scalars(
            select(Holding)
            .where(Holding.user_id == user_id)
            .options(selectinload(Holding.certification))
            .order_by(Holding.id)
        )
    )


def record_holding(
    user_id: int, certification_id: int, number: str, certified_on: str, now: datetime
) -> Holding:
    """Add or correct the learner's holding of one certification (one per certification)."""
    db = session()
    certification = (
        db.get(Certification, certification_id) if 0 < certification_id < 2**31 else None
    )
    if certification is None:
        raise HoldingRefused("Choose a certification from the list.", "certification_id")
    number = " ".join(number.split())
    if not NUMBER_RE.fullmatch(number):
        raise HoldingRefused(
            "Enter the certification number as printed on your card: up to 40 letters, digits, "
            "spaces and . / _ -",
            "number",
        )
    if not certified_on.strip():  # the date picker was left empty: no format to teach
        raise HoldingRefused("Enter the date you were certified.", "certified_on")
    try:
        certified = date.fromisoformat(certified_on.strip())
    except ValueError:
        raise HoldingRefused(
            "Give the date you were certified as YYYY-MM-DD.", "certified_on"
        ) from None
    if not EARLIEST <= certified <= now.date():
        raise HoldingRefused("The certification date must be a past date.", "certified_on")
    holding = db.scalars(
        select(Holding).where(
            Holding.user_id == user_id, Holding.certification_id == certification.id
        )
    ).first()
    if holding is None:
        holding = Holding(user_id=user_id, certification=certification, created_at=now)
        db.add(holding)
    holding.number, holding.certified_on = number, certified
    try:
        db.commit()
    except IntegrityError:  # the same certification added twice at once: the first stands
        db.rollback()
        raise HoldingRefused(
            "That certification is already on your list.", "certification_id"
        ) from None
    return holding


def remove_holding(user_id: int, holding_id: int) -> bool:
    db = session()
    holding = db.get(Holding, holding_id) if 0 < holding_id < 2**31 else None
    if holding is None or holding.user_id != user_id:
        return False
    db.delete(holding)
    db.commit()
    return True
