"""Reading a person's credit log a page at a time, and its totals, for the dashboard and
the transcript page.

Each is one statement over the person's own entries (the index on user id and date), never
the whole ledger, and returns plain rows rather than ORM objects: these are the pages a
learner opens most.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select

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
    hours: Decimal | None
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


def _filtered(query: Select[Any], *, dated_from: bool, dated_to: bool, counted: bool) -> Any:
    query = query.where(_entry.c.user_id == bindparam("user_id"))
    if dated_from:
        query = query.where(_entry.c.earned_on >= bindparam("start"))
    if dated_to:
        query = query.where(_entry.c.earned_on <= bindparam("end"))
    if counted:  # a requirement's cycle: the entries it counts, and their corrections
        ids = bindparam("counted", expanding=True)
        query = query.where(or_(_entry.c.id.in_(ids), _entry.c.reverses_id.in_(ids)))
    return query


# Built once per shape (building a statement costs more than running it on the pages that
# use these). Plain tables, not ORM entities, so the rows come back without the ORM.
@functools.cache
def _lines_statement(
    *, newest_first: bool, dated_from: bool, dated_to: bool, counted: bool
) -> Select[Any]:
    order = (_entry.c.earned_on, _entry.c.id)
    query = (
        select(
            _entry.c.id,
            _entry.c.earned_on,
            _entry.c.description,
            _entry.c.source,
            _entry.c.verification,
            _entry.c.credits,
            _entry.c.credit_unit,
            _entry.c.hours,
            _entry.c.reverses_id,
            _entry.c.reason,
            _certificate.c.public_id,
            _correction.c.created_at,
            _correction.c.reason,
        )
        .select_from(_entry)
        .outerjoin(_certificate, _certificate.c.id == _entry.c.certificate_id)
        # reverses_id is unique: at most one correction per entry.
        .outerjoin(_correction, _correction.c.reverses_id == _entry.c.id)
        .order_by(*(column.desc() for column in order) if newest_first else order)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )
    return _filtered(query, dated_from=dated_from, dated_to=dated_to, counted=counted)


@functools.cache
def _totals_statement(*, dated_from: bool, dated_to: bool, counted: bool) -> Select[Any]:
    query = (
        select(
            _entry.c.credit_unit,
            func.sum(_entry.c.credits),
            func.sum(_entry.c.hours),
            func.count(),
        )
        .group_by(_entry.c.credit_unit)
        .order_by(_entry.c.credit_unit)
    )
    return _filtered(query, dated_from=dated_from, dated_to=dated_to, counted=counted)


def _params(
    user_id: int, start: date | None, end: date | None, counted: Collection[int] | None
) -> tuple[dict[str, Any], dict[str, bool]]:
    params: dict[str, Any] = {"user_id": user_id, "start": start, "end": end}
    if counted is not None:
        params["counted"] = sorted(counted)
    shape = {
        "dated_from": start is not None,
        "dated_to": end is not None,
        "counted": counted is not None,
    }
    return params, shape


def credit_lines(
    user_id: int,
    *,
    offset: int,
    limit: int,
    newest_first: bool = True,
    start: date | None = None,
    end: date | None = None,
    counted: Collection[int] | None = None,
) -> list[LogLine]:
    """The person's entries (earned from ``start`` through ``end``; only those in ``counted``
    and their corrections when given), ``limit`` of them from ``offset``: read in the order
    of the index on user and date, so only the rows shown (``credit_totals`` counts them)."""
    params, shape = _params(user_id, start, end, counted)
    statement = _lines_statement(newest_first=newest_first, **shape)
    rows = session().execute(statement, {**params, "offset": offset, "limit": limit})
    return [LogLine(*row) for row in rows]


@dataclass(frozen=True)
class Totals:
    #: Unit -> (net credits, net hours), corrections included.
    by_unit: dict[str, tuple[Decimal, Decimal]]
    #: How many entries (corrections included) there are.
    entries: int


def credit_totals(
    user_id: int,
    *,
    start: date | None = None,
    end: date | None = None,
    counted: Collection[int] | None = None,
) -> Totals:
    """The totals of the same entries as ``credit_lines``, and how many they are, summed by
    the database."""
    params, shape = _params(user_id, start, end, counted)
    by_unit, entries = {}, 0
    for unit, credits, hours, n in session().execute(_totals_statement(**shape), params):
        by_unit[unit] = (Decimal(credits or 0), Decimal(hours or 0))
        entries += n
    return Totals(by_unit, entries)
