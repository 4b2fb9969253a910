"""Correcting the credit ledger: an entry is never edited, it is reversed (once) by a new
entry with the opposite credits and a reason. Used by the admin page and ``lms ledger reverse``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.credits.ledger import reverse_entry
from lms.credits.models import CreditEntry
from lms.db import session
from lms.validation import CONTROL_CHARACTERS, Refused

REASON_MIN, REASON_MAX = 3, 500


class CorrectionRefused(Refused):
    """The reversal was refused; the message says why, ``status`` is the HTTP status."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message, status)  # most refusals here are of the entry's state


def clean_reason(reason: str) -> str:
    """The reason on one line, checked: it is kept for good in the chain and shown to the
    learner."""
    text = " ".join((reason or "").split())
    if CONTROL_CHARACTERS.search(text) or not REASON_MIN <= len(text) <= REASON_MAX:
        raise CorrectionRefused(
            f"Give a reason for the correction ({REASON_MIN} to {REASON_MAX} characters); "
            "the learner sees it in their credit log.",
            400,
        )
    return text


def reversal_of(entry_id: int) -> CreditEntry | None:
    return session().scalars(select(CreditEntry).where(CreditEntry.reverses_id == entry_id)).first()


def correct_entry(
    entry_id: int,
    reason: str,
    *,
    now: datetime,
    recorded_by_id: int | None,
    user_id: int | None = None,
) -> CreditEntry:
    """Reverse one entry (of ``user_id`` when given) and commit; the reversing entry is
    returned. Refused, with nothing written, for a missing entry, a reversal, an entry already
    reversed (also when two corrections race: ``reverses_id`` is unique) or a bad reason."""
    db = session()
    entry = db.get(CreditEntry, entry_id) if 0 < entry_id < 2**31 else None
    if entry is None or (user_id is not None and entry.user_id != user_id):
        raise CorrectionRefused(f"There is no ledger entry {entry_id}.", 404)
    text = clean_reason(reason)
    if entry.reverses_id is not None:
        raise CorrectionRefused(
            f"Entry {entry.id} is itself a correction (of entry {entry.reverses_id}); a "
            "correction cannot be reversed. Record the credit again instead."
        )
    if reversal_of(entry.id) is not None:
        raise CorrectionRefused(_already(entry))
    try:
        reversal = reverse_entry(db, entry, reason=text, now=now, recorded_by_id=recorded_by_id)
        db.commit()
    except IntegrityError:
        # Another correction of the same entry committed first.
        db.rollback()
        raise CorrectionRefused(_already(entry)) from None
    except Exception:
        db.rollback()
        raise
    return reversal


def _already(entry: CreditEntry) -> str:
    done = reversal_of(entry.id)
    when = f" on {done.created_at:%Y-%m-%d}" if done is not None else ""
    return f"Entry {entry.id} was already reversed{when}; an entry is reversed only once."
