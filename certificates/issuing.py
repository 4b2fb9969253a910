"""Issuing certificates, once per award key."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from certificates.documents import Issuer, SigningKey, build_credential
from certificates.models import Certificate, IssuerState
from certificates.revision import STATE_ID, bump_revision
from certificates.sealing import seal_of
from certificates.signing import STATUS_LIST_MIN_BITS
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


def _free_status_index(session: Session) -> int:
    """A random bit of the status list no other certificate holds, so an index reveals
    nothing about the order or number of certificates issued."""
    for _ in range(100):
        index = secrets.randbelow(STATUS_LIST_MIN_BITS)
        taken = session.scalar(select(Certificate.id).where(Certificate.status_index == index))
        if taken is None:
            return index
    raise RuntimeError("the status list is too full to find a free index; add a second list")


def sign_certificate(
    session: Session,
    certificate: Certificate,
    *,
    issuer: Issuer,
    key: SigningKey,
    course_slug: str,
    course_description: str,
    learner_email: str,
    valid_until: datetime | None = None,
    signed_at: datetime | None = None,
    seal_key: bytes | None = None,
) -> Certificate:
    """Attach the signed OpenBadgeCredential to a certificate that has none. Signed once:
    a certificate that already carries one (it has a status index) is returned unchanged.
    The caller commits.

    ``signed_at`` (default: the issue time) dates the proof; a certificate issued before
    signing existed is signed later, with a key that did not exist at its issue. With
    ``seal_key``, the stored credential is sealed (:mod:`certificates.sealing`).
    """
    if certificate.status_index is not None:
        return certificate
    index = _free_status_index(session)
    credential = build_credential(
        issuer=issuer,
        key=key,
        public_id=certificate.public_id,
        facts=CertificateFacts.from_json(certificate.facts),
        course_slug=course_slug,
        course_description=course_description,
        learner_email=learner_email,
        salt=secrets.token_hex(16),
        status_index=index,
        issued_at=certificate.issued_at,
        valid_until=valid_until,
        signed_at=signed_at,
    )
    # Conditional, so two requests signing the same certificate at once store one credential;
    # the loser gets the winner's back.
    signed = {
        "credential": credential,
        "status_index": index,
        "seal": seal_of(credential, seal_key) if seal_key else None,
    }
    won = session.execute(
        update(Certificate)
        .where(Certificate.id == certificate.id, Certificate.status_index.is_(None))
        .values(**signed)
        .execution_options(synchronize_session=False)
    ).rowcount
    if won == 1:  # the row holds exactly these values now: no re-read
        for name, value in signed.items():
            set_committed_value(certificate, name, value)
        if certificate.revoked_at is not None:
            # Revoked before it had a bit (signed on first use): the list must now set it.
            bump_revision(session)
    else:
        session.refresh(certificate)
    return certificate


PUBLIC_ID_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def get_certificate(session: Session, public_id: str) -> Certificate | None:
    if not PUBLIC_ID_RE.fullmatch(public_id):
        return None
    return session.scalars(select(Certificate).where(Certificate.public_id == public_id)).first()


_RECORD_BY_PUBLIC_ID = select(
    Certificate.__table__,
    select(IssuerState.revision)
    .where(IssuerState.id == STATE_ID)
    .scalar_subquery()
    .label("issuer_revision"),
).where(Certificate.__table__.c.public_id == bindparam("public_id"))


def certificate_record(session: Session, public_id: str) -> Row[Any] | None:
    """The certificate's row as a plain, read-only record (the same attribute names as
    :class:`Certificate`), with the issuer's revision read in the same statement
    (``issuer_revision``: see :mod:`certificates.revision`): for the public pages, which
    read one certificate per request and pay a quarter of what loading the ORM object costs."""
    if not PUBLIC_ID_RE.fullmatch(public_id):
        return None
    return session.connection().execute(_RECORD_BY_PUBLIC_ID, {"public_id": public_id}).first()
