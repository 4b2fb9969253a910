"""Checking a certificate record: is it ours, intact and not revoked?"""

from __future__ import annotations

from dataclasses import dataclass, field

from certificates.models import Certificate
from certificates.snapshot import digest_of


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class Verdict:
    #: "valid", "revoked" or "invalid".
    status: str
    checks: list[Check] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.status == "valid"


def verify(certificate: Certificate) -> Verdict:
    checks = [Check("Issued by this service", True, "The certificate id is in our register.")]
    intact = digest_of(certificate.facts) == certificate.digest
    checks.append(
        Check(
            "Record intact",
            intact,
            "The certified facts match the digest taken at issue."
            if intact
            else "The stored facts no longer match the digest taken at issue.",
        )
    )
    revoked = certificate.revoked_at is not None
    checks.append(
        Check(
            "Not revoked",
            not revoked,
            f"Revoked on {certificate.revoked_at:%Y-%m-%d}: {certificate.revocation_reason or ''}"
            if revoked
            else "No revocation is recorded.",
        )
    )
    if not intact:
        return Verdict("invalid", checks)
    return Verdict("revoked" if revoked else "valid", checks)
