"""The ledger's hash chain, pure: what an entry's hash covers and how it is computed.

Migration 0005 carries a frozen copy of this to seal the entries written before it; change the
payload only with a migration that re-seals (and never for a live ledger without an audit
note)."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

CENT = Decimal("0.01")


def _amount(value: Decimal | int | str | None) -> str | None:
    return None if value is None else format(Decimal(value).quantize(CENT), "f")


def chain_payload(entry: Any) -> dict[str, Any]:
    """Every field of an entry that its hash protects (all but the id and its own hash)."""
    created: datetime = entry.created_at
    earned: date = entry.earned_on
    return {
        # The id too: reversals point at ids, so swapping two rows' ids must break the chain.
        "id": entry.id,
        "seq": entry.seq,
        "prev_hash": entry.prev_hash,
        "user_id": entry.user_id,
        "source": entry.source,
        "source_ref": entry.source_ref,
        "course_id": entry.course_id,
        "certificate_id": entry.certificate_id,
        "description": entry.description,
        "credits": _amount(entry.credits),
        "credit_unit": entry.credit_unit,
        "hours": _amount(entry.hours),
        "category": entry.category,
        "verification": entry.verification,
        "earned_on": earned.isoformat(),
        "cycles": entry.cycles or [],
        "reverses_id": entry.reverses_id,
        "reason": entry.reason or "",
        "recorded_by_id": entry.recorded_by_id,
        "created_at": created.isoformat(),
    }


def entry_hash(entry: Any) -> str:
    """SHA-256 over the payload as sorted, compact JSON."""
    text = json.dumps(
        chain_payload(entry), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
