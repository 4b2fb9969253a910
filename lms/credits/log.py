"""Reading a person's credit log a page at a time, and its totals, for the dashboard.

Each is one statement over the person's own entries (the index on user id and date), never
the whole ledger, and returns plain rows rather than ORM objects: the dashboard is the page a
learner opens most.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import bindparam, func, select

from certificates import Certificate
from lms.credits.models import SOURCES, VERIFICATION_LEVELS, CreditEntry
from lms.db import session


@dataclass(frozen=True)
class LogLine:
    """One entry of the credit log, as the dashboard shows it."""

    id: int
    earned_on: date
    description: str
    source: str
    verification: str
    #: Negative in a correction.
    credits: Decimal
    credit_unit: str
    #: The entry this correction reverses, and why.
    reverses_id: int | None
    reason: str
    certificate_public_id: str | None
    #: When this entry was reversed by a correction, and why (None: it stands).
    reversed_at: datetime | None
    reversed_reason: str | None

    @property
    def source_label(self) -> str:
        return SOURCES.get(self.source, self.source)

    @property
    def verification_label(self) -> str:
        return VERIFICATION_LEVELS.get(self.verification, self.verification)


_entry = CreditEntry.__table__
_correction = _entry.alias("correction")
_certificate = Certificate.__table__
# Built once: the dashboard runs these on every visit, and building a statement costs more
# than running it. Plain tables, not ORM entities, so the rows come back without the ORM.
_LOG = (
    select(
        _entry.c.id,
        _entry.c.earned_on,
        _entry.c.description,
        _entry.c.source,
        _entry.c.verification,
        _entry.c.credits,
        _entry.c.credit_unit,
        _entry.c.reverses_id,
        _entry.c.reason,
        _certificate.c.public_id,
        _correction.c.created_at,
        _correction.c.reason,
        func.count().over(),
    )
    .select_from(_entry)
    .outerjoin(_certificate, _certificate.c.id == _entry.c.certificate_id)
    # reverses_id is unique: at most one correction per entry.
    .outerjoin(_correction, _correction.c.reverses_id == _entry.c.id)
    .where(_entry.c.user_id == bindparam("user_id"))
    .order_by(_entry.c.earned_on.desc(), _entry.c.id.desc())
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
)
_TOTALS = (
    select(_entry.c.credit_unit, func.sum(_entry.c.credits))
    .where(_entry.c.user_id == bindparam("user_id"))
    .group_by(_entry.c.credit_unit)
    .order_by(_entry.c.credit_unit)
)


def credit_log(user_id: int, *, offset: int, limit: int) -> tuple[list[LogLine], int]:
    """The person's entries, newest first, ``limit`` of them from ``offset``, and how many
    there are in all (counted by the same statement)."""
    rows = session().execute(_LOG, {"user_id": user_id, "offset": offset, "limit": limit}).all()
    total = rows[0][-1] if rows else 0
    return [LogLine(*row[:-1]) for row in rows], total


def credit_totals(user_id: int) -> dict[str, Decimal]:
    """Unit -> the person's net credits in it (corrections included), summed by the
    database."""
    return {
        unit: Decimal(total or 0)
        for unit, total in session().execute(_TOTALS, {"user_id": user_id})
    }
