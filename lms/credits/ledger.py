"""Appending to the credit ledger: the only way an entry is written."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lms.credits.chain import entry_hash
from lms.credits.models import GENESIS_HASH, CreditEntry, LedgerHead


def append_entry(
    db: Session,
    *,
    user_id: int,
    source: str,
    source_ref: str,
    description: str,
    credits: Decimal,
    credit_unit: str,
    earned_on: date,
    now: datetime,
    verification: str = "system",
    hours: Decimal | None = None,
    category: str = "general",
    cycles: list[dict[str, Any]] | None = None,
    course_id: int | None = None,
    certificate_id: int | None = None,
    reverses_id: int | None = None,
    reason: str = "",
    recorded_by_id: int | None = None,
) -> CreditEntry:
    """Chain a new entry after the newest one, inside the caller's transaction.

    The head row is updated first: that takes the lock, so two appends never read the same
    head; the unique ``seq`` and ``prev_hash`` would refuse a fork even without it.
    """
    db.execute(
        update(LedgerHead)
        .where(LedgerHead.id == 1)
        .values(seq=LedgerHead.seq + 1)
        .execution_options(synchronize_session=False)
    )
    seq, prev = db.execute(
        select(LedgerHead.seq, LedgerHead.entry_hash).where(LedgerHead.id == 1)
    ).one()
    entry = CreditEntry(
        seq=seq,
        prev_hash=prev,
        user_id=user_id,
        source=source,
        source_ref=source_ref,
        course_id=course_id,
        certificate_id=certificate_id,
        description=description[:300],
        credits=Decimal(credits).quantize(Decimal("0.01")),
        credit_unit=credit_unit,
        hours=None if hours is None else Decimal(hours).quantize(Decimal("0.01")),
        category=category,
        verification=verification,
        earned_on=earned_on,
        cycles=cycles or [],
        reverses_id=reverses_id,
        reason=reason,
        recorded_by_id=recorded_by_id,
        created_at=now.replace(microsecond=0),
    )
    # The hash covers the id, known once the row is in: insert with a placeholder, then seal.
    entry.entry_hash = f"unsealed:{seq}"
    db.add(entry)
    db.flush()
    entry.entry_hash = entry_hash(entry)
    db.flush()
    db.execute(
        update(LedgerHead)
        .where(LedgerHead.id == 1)
        .values(entry_hash=entry.entry_hash)
        .execution_options(synchronize_session=False)
    )
    return entry


def reverse_entry(
    db: Session, entry: CreditEntry, *, reason: str, now: datetime, recorded_by_id: int | None
) -> CreditEntry:
    """A correction: a new entry with the opposite credits, pointing at the one it reverses
    (once: ``reverses_id`` is unique)."""
    return append_entry(
        db,
        user_id=entry.user_id,
        source="reversal",
        source_ref=f"entry:{entry.id}",
        description=f"Correction of: {entry.description}"[:300],
        credits=-Decimal(entry.credits),
        credit_unit=entry.credit_unit,
        hours=None if entry.hours is None else -Decimal(entry.hours),
        category=entry.category,
        verification=entry.verification,
        earned_on=entry.earned_on,
        cycles=entry.cycles,
        course_id=entry.course_id,
        certificate_id=entry.certificate_id,
        reverses_id=entry.id,
        reason=reason,
        recorded_by_id=recorded_by_id,
        now=now,
    )


__all__ = ["GENESIS_HASH", "append_entry", "reverse_entry"]
