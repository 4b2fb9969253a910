"""The facts a certificate records, frozen at the moment of issue."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class CertificateFacts:
    learner_name: str
    course_title: str
    course_version: int
    provider: str
    credits: Decimal
    credit_unit: str
    completed_on: date
    #: Certification numbers the learner holds, as on their profile ("" when unknown).
    certification_numbers: str = ""
    approval_number: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["credits"] = format(self.credits.normalize(), "f")
        data["completed_on"] = self.completed_on.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CertificateFacts:
        return cls(
            **{
                **data,
                "credits": Decimal(data["credits"]),
                "completed_on": date.fromisoformat(data["completed_on"]),
            }
        )

    @property
    def credits_text(self) -> str:
        return f"{format(self.credits.normalize(), 'f')} {self.credit_unit}"


def digest_of(facts_json: dict[str, Any]) -> str:
    """SHA-256 over sorted, compact JSON: the same facts always give the same digest."""
    canonical = json.dumps(facts_json, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
