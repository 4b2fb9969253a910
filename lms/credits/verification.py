"""Checking the credit ledger's hash chain: ``lms verify-ledger``.

The walk reads the table's columns, not ORM objects: an object already in the session would
show what the application wrote, not what the database holds now, and checking what the
database holds is the point. Rows are streamed in ``seq`` order, so memory stays flat
however long the ledger grows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.credits.chain import entry_hash
from lms.credits.models import GENESIS_HASH, CreditEntry, LedgerHead

#: Rows fetched per round trip while streaming.
BATCH = 1000
_TABLE = CreditEntry.__table__


@dataclass(frozen=True)
class BrokenLink:
    """The first place where the chain does not hold."""

    #: "edited", "link", "gap", "order", "truncated", "beyond_head", "head_hash", "no_head".
    kind: str
    message: str
    entry_id: int | None = None
    seq: int | None = None


@dataclass(frozen=True)
class LedgerReport:
    #: Entries whose hash and link were checked (up to the first break).
    checked: int
    head_seq: int
    head_hash: str
    broken: BrokenLink | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None

    def summary(self) -> str:
        """One line, for the command and the logs."""
        noun = "entry" if self.checked == 1 else "entries"
        if self.broken is None:
            return f"OK: {self.checked} {noun}, the chain is intact; head hash {self.head_hash}"
        return f"BROKEN after {self.checked} good {noun}: {self.broken.message}"


def _rows_after(db: Session, seq: int) -> Any:
    return db.execute(
        select(*_TABLE.c)
        .where(_TABLE.c.seq > seq)
        .order_by(_TABLE.c.seq)
        .execution_options(yield_per=BATCH)
    )


def _head(db: Session) -> tuple[int, str] | None:
    row = db.execute(
        select(LedgerHead.seq, LedgerHead.entry_hash).where(LedgerHead.id == 1)
    ).first()
    return None if row is None else (row.seq, row.entry_hash)


def _check_row(row: Any, expected_seq: int, prev: Any) -> BrokenLink | None:
    """The three checks of one link, most specific diagnosis first."""
    where = f"entry {row.id} (seq {row.seq})"
    if row.seq != expected_seq:
        if row.seq > expected_seq:
            missing = (
                f"seq {expected_seq} is missing"
                if row.seq == expected_seq + 1
                else f"seq {expected_seq} to {row.seq - 1} are missing"
            )
            return BrokenLink(
                "gap",
                f"a gap: {missing} (entries removed); the chain resumes at {where}",
                row.id,
                expected_seq,
            )
        return BrokenLink(
            "order", f"{where} is out of place: seq {expected_seq} was expected", row.id, row.seq
        )
    if entry_hash(row) != row.entry_hash:
        return BrokenLink(
            "edited",
            f"{where}: its contents no longer match its hash (edited after it was written)",
            row.id,
            row.seq,
        )
    expected_prev = GENESIS_HASH if prev is None else prev.entry_hash
    if row.prev_hash != expected_prev:
        before = "the start of the chain" if prev is None else f"entry {prev.id}'s"
        return BrokenLink(
            "link",
            f"seq {row.seq} (entry {row.id}) points at a previous hash that is not {before} "
            "(an entry was removed, inserted or rewritten before it)",
            row.id,
            row.seq,
        )
    return None


def verify_ledger(db: Session) -> LedgerReport:
    """Walk the chain in ``seq`` order and report the first broken link, if any.

    Each entry must have the next seq, a hash that matches its contents, and the previous
    entry's hash as its ``prev_hash``; at the end the head row must name the last entry. An
    entry rewritten together with its own hash is caught by the next entry's link; entries
    cut from the end are caught by the head.
    """
    checked = 0
    prev: Any = None
    while True:
        before = checked
        broken = None
        rows = _rows_after(db, prev.seq if prev is not None else 0)
        try:
            for row in rows:
                broken = _check_row(row, checked + 1, prev)
                if broken is not None:
                    break
                prev = row
                checked += 1
        finally:
            rows.close()  # a server-side cursor on PostgreSQL: done with it before the next query
        head = _head(db)
        if broken is not None:
            return LedgerReport(checked, *(head or (0, "")), broken)
        if head is None:
            return LedgerReport(
                checked, 0, "", BrokenLink("no_head", "the ledger head row (id 1) is missing")
            )
        # Entries appended while we walked moved the head on: walk them too, then look again.
        if head[0] > checked and checked > before:
            continue
        break
    head_seq, head_hash = head
    last_hash = GENESIS_HASH if prev is None else prev.entry_hash
    if head_seq > checked:
        return LedgerReport(
            checked,
            head_seq,
            head_hash,
            BrokenLink(
                "truncated",
                f"the head says {head_seq} entries but the chain ends at {checked} "
                "(entries removed from the end)",
                None,
                checked + 1,
            ),
        )
    if head_seq < checked:
        return LedgerReport(
            checked,
            head_seq,
            head_hash,
            BrokenLink(
                "beyond_head",
                f"the chain goes on to seq {checked} but the head says {head_seq} "
                "(entries added behind the application's back, or the head was edited)",
                prev.id,
                checked,
            ),
        )
    if head_hash != last_hash:
        where = "the empty chain's start" if prev is None else f"entry {prev.id}'s (seq {checked})"
        return LedgerReport(
            checked,
            head_seq,
            head_hash,
            BrokenLink(
                "head_hash",
                f"the head's hash {head_hash} is not {where} (the head was edited)",
                None if prev is None else prev.id,
                checked,
            ),
        )
    return LedgerReport(checked, head_seq, head_hash)
