"""A person's standing against the requirement rules (being written: the signatures below are
the interface the ledger, the transcript and the reminders use)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Standing:
    """Where a person stands in one cycle of one rule."""

    rule_code: str
    rule_name: str
    #: The certifications the requirement covers (one, or several when pooled).
    certification_codes: tuple[str, ...]
    cycle_start: date
    #: The due date: the last day of the cycle.
    cycle_end: date
    credit_unit: str
    required: Decimal
    #: Credits that count this cycle, after caps and conversion.
    earned: Decimal
    #: "complete", "on_track", "at_risk" or "overdue".
    status: str
    #: Category -> credits still missing in it.
    missing_by_category: dict[str, Decimal] = field(default_factory=dict)
    #: Ids of the ledger entries counted.
    entry_ids: tuple[int, ...] = ()

    @property
    def missing(self) -> Decimal:
        return max(self.required - self.earned, Decimal(0))


def cycles_for(
    user_id: int, certification_codes: list[str], earned_on: date
) -> list[dict[str, Any]]:
    """The certification cycles a credit earned on ``earned_on`` toward these certifications
    counts for: [{"rule": code, "certification": code, "start": iso, "end": iso}]."""
    return []


def standing_of(user_id: int, today: date) -> list[Standing]:
    """The person's current cycle for every rule that applies to their holdings."""
    return []
