"""Issuing certificates, once per award key."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from certificates.models import Certificate
from certificates.snapshot import CertificateFacts, digest_of

#: 18 random bytes = 144 bits, printed as 24 URL-safe characters.
PUBLIC_ID_BYTES = 18


def new_public_id() -> str:
    return secrets.token_urlsafe(PUBLIC_ID_BYTES)


def issue_certificate(
    session: Session, *, award_key: str, facts: CertificateFacts, now: datetime
) -> Certificate:
    """Add the certificate for ``award_key``, or return the one already issued for it.

    The caller holds the lock that makes the award single (a conditional update); the unique
    constraint on ``award_key`` is the backstop. The caller commits.
    """
    existing = session.scalars(
        select(Certificate).where(Certificate.award_key == award_key)
    ).first()
    if existing is not None:
        return existing
    facts_json = facts.to_json()
    certificate = Certificate(
        public_id=new_public_id(),
        award_key=award_key,
        facts=facts_json,
        digest=digest_of(facts_json),
        issued_at=now,
    )
    session.add(certificate)
    session.flush()
    return certificate


PUBLIC_ID_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def get_certificate(session: Session, public_id: str) -> Certificate | None:
    if not PUBLIC_ID_RE.fullmatch(public_id):
        return None
    return session.scalars(select(Certificate).where(Certificate.public_id == public_id)).first()
