"""Certificates after issue: the signed credential, verification, revocation, reissue."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import Row, select, update
from sqlalchemy.exc import IntegrityError

from certificates import Certificate, CertificateFacts, digest_of, issue_certificate
from certificates.checking import Report, Step, check_credential
from certificates.revision import bump_revision
from lms.accounts.models import User
from lms.awards.issuer import IssuerNotConfigured, prepare_signing, public_profile, seal_keys
from lms.awards.published import published
from lms.catalogue.models import Course
from lms.credits.corrections import reversal_of
from lms.credits.ledger import reverse_entry
from lms.credits.models import CreditEntry
from lms.credits.operations import sign
from lms.db import session
from lms.learning.models import Enrolment
from lms.notifications.messages import certificate_revoked


class AwardError(ValueError):
    """An action on a certificate that cannot be taken; the message says why."""


def original_of(certificate: Certificate) -> Certificate:
    """The first certificate of a reissue chain (the one the credit entry points at)."""
    db = session()
    seen = set()
    while certificate.replaces_id is not None and certificate.id not in seen:
        seen.add(certificate.id)
        certificate = db.get(Certificate, certificate.replaces_id)
    return certificate


def replacement_of(certificate: Certificate) -> Certificate | None:
    return (
        session()
        .scalars(select(Certificate).where(Certificate.replaces_id == certificate.id))
        .first()
    )


def replaced_by_this(certificate: Certificate) -> Certificate | None:
    if certificate.replaces_id is None:
        return None
    return session().get(Certificate, certificate.replaces_id)


def _award_of(certificate: Certificate) -> tuple[User, Course | None]:
    entry = (
        session()
        .scalars(
            select(CreditEntry).where(CreditEntry.certificate_id == original_of(certificate).id)
        )
        .first()
    )
    if entry is None:
        raise AwardError("this certificate has no credit entry, so its holder is unknown")
    user = session().get(User, entry.user_id)
    course = session().get(Course, entry.course_id) if entry.course_id else None
    return user, course


def owner_of(certificate: Certificate) -> int | None:
    try:
        return _award_of(certificate)[0].id
    except AwardError:
        return None


def credential_of(certificate: Certificate | Row[Any], now: datetime) -> dict:
    """The signed credential of a certificate (or its read-only record); a certificate issued
    before signing existed is signed on first use (once: valid from its issue, the proof
    dated now) and kept."""
    if certificate.status_index is None:
        certificate = session().get(Certificate, certificate.id)  # the object, to write
        prepare_signing()
        user, course = _award_of(certificate)
        sign(
            certificate,
            course_slug=course.slug if course else "course",
            course_description=course.summary if course else "",
            email=user.email,
            signed_at=now,
        )
        session().commit()
    return certificate.credential


def verification_of(certificate: Certificate | Row[Any], now: datetime) -> Report:
    """The checks a verifier makes, on the stored credential, plus our own record's digest."""
    record_intact = digest_of(certificate.facts) == certificate.digest
    record = Step(
        "record",
        record_intact,
        "The certified facts match the digest taken at issue."
        if record_intact
        else "The stored facts no longer match the digest taken at issue.",
    )
    signed_now = certificate.status_index is None
    credential = credential_of(certificate, now)  # first: signing may move the revision
    try:
        # A record read by certificate_record carries the issuer's revision of the same moment.
        documents = published(None if signed_now else getattr(certificate, "issuer_revision", None))
        profile, status_list = documents.profile, documents.status_list
    except IssuerNotConfigured as exc:
        # This host cannot open the signing key, so it cannot sign a revocation list; checking
        # a credential needs only the public keys, and our own record says if it is revoked.
        current_app.logger.error("Verifying without the signed revocation list: %s", exc)
        profile, status_list = public_profile(), None
    report = check_credential(
        credential,
        issuer_profile=profile,
        status_list=status_list,
        now=now,
        trusted_issuer_id=profile["id"],
        seal=certificate.seal,
        seal_keys=seal_keys(),
    )
    if status_list is None:
        report = _status_from_record(report, certificate)
    verdict = report.verdict if record_intact else "invalid"
    return Report(steps=(record, *report.steps), verdict=verdict)


def _status_from_record(report: Report, certificate: Certificate | Row[Any]) -> Report:
    """The status step taken from this site's record instead of its signed list (the same
    facts: the list is built from these rows), with the verdict the list would have given."""
    revoked = certificate.revoked_at is not None
    status = Step(
        "status",
        not revoked,
        f"revoked on {certificate.revoked_at:%Y-%m-%d} (this site's record)"
        if revoked
        else "not revoked (this site's record; its signed revocation list is unavailable now)",
    )
    steps = tuple(status if step.name == "status" else step for step in report.steps)
    verdict = report.verdict
    if revoked and verdict in ("valid", "expired", "not yet valid"):
        verdict = "revoked"  # as the list would say: revocation outranks the dates
    return replace(report, steps=steps, verdict=verdict)


def revoke(certificate: Certificate, reason: str, now: datetime, *, retake: bool = False) -> bool:
    """Revoke once (a conditional update); True when this call revoked it. The credit the
    certificate carried is reversed in the same transaction: a revoked certificate's credit
    counts toward nothing (a reissue keeps it: that goes through ``reissue``). With ``retake``
    the learner may enrol in the course again and earn its credit once more."""
    db = session()
    try:
        won = db.execute(
            update(Certificate)
            .where(Certificate.id == certificate.id, Certificate.revoked_at.is_(None))
            .values(revoked_at=now, revocation_reason=reason)
            .execution_options(synchronize_session=False)
        ).rowcount
        if won == 1:
            bump_revision(db)  # the status list changes: every host rebuilds it
            # The credit hangs on the first certificate of the award; a reissue replaced it.
            chain, current = {certificate.id}, certificate
            while current.replaces_id is not None and current.replaces_id not in chain:
                chain.add(current.replaces_id)
                current = db.get(Certificate, current.replaces_id)
            holder = _holder_of(current.award_key)
            for entry in db.scalars(
                select(CreditEntry).where(
                    CreditEntry.certificate_id.in_(chain),
                    CreditEntry.reverses_id.is_(None),
                )
            ).all():
                if reversal_of(entry.id) is None:
                    reverse_entry(
                        db,
                        entry,
                        reason=f"Certificate {certificate.public_id} revoked: {reason}"[:500],
                        now=now,
                        recorded_by_id=None,
                    )
            if retake:
                _allow_retake(current.award_key, now)
            if holder is not None:  # the holder is told: their credit is gone
                certificate_revoked(
                    certificate,
                    CertificateFacts.from_json(certificate.facts).course_title,
                    reason,
                    user_id=holder,
                    retake=retake and current.award_key.startswith(_COURSE_AWARD),
                    now=now,
                )
        db.commit()
    except Exception:
        db.rollback()
        raise
    db.refresh(certificate)
    return won == 1


_COURSE_AWARD = "course-enrolment:"


def _holder_of(award_key: str) -> int | None:
    """The learner a course certificate was awarded to (None for another kind of award)."""
    if (
        not award_key.startswith(_COURSE_AWARD)
        or not award_key.removeprefix(_COURSE_AWARD).isdigit()
    ):
        return None
    return session().scalar(
        select(Enrolment.user_id).where(Enrolment.id == int(award_key.removeprefix(_COURSE_AWARD)))
    )


def _allow_retake(award_key: str, now: datetime) -> None:
    """Mark the enrolment a course certificate was awarded for (``course-enrolment:<id>``)
    as open to a retake; a certificate of another kind has no course to retake."""
    prefix = "course-enrolment:"
    if not award_key.startswith(prefix) or not award_key.removeprefix(prefix).isdigit():
        return
    session().execute(
        update(Enrolment)
        .where(Enrolment.id == int(award_key.removeprefix(prefix)))
        .values(retake_allowed_at=now)
        .execution_options(synchronize_session=False)
    )


def reissue(certificate: Certificate, now: datetime) -> Certificate:
    """A new certificate with the same award and the holder's current name, signed anew and
    linked to the old one, which is revoked with a note pointing at the new one."""
    if replacement_of(certificate) is not None:
        raise AwardError("This certificate was already reissued; reissue the newest one.")
    if certificate.revoked_at is not None:
        # Its credit was reversed when it was revoked; a replacement would be a valid
        # certificate for a credit the log no longer holds.
        raise AwardError("A revoked certificate cannot be reissued.")
    user, course = _award_of(certificate)
    prepare_signing()
    db = session()
    try:
        facts = replace(CertificateFacts.from_json(certificate.facts), learner_name=user.name)
        new = issue_certificate(db, award_key=f"reissue-of:{certificate.id}", facts=facts, now=now)
        new.replaces_id = certificate.id
        db.flush()
        old_end = (certificate.credential or {}).get("validUntil")
        sign(
            new,
            course_slug=course.slug if course else "course",
            course_description=course.summary if course else "",
            email=user.email,
            # A correction, not a renewal: the replacement ends when the original did.
            valid_until=datetime.strptime(old_end, "%Y-%m-%dT%H:%M:%SZ") if old_end else None,
        )
        replaced = db.execute(
            update(Certificate)
            .where(Certificate.id == certificate.id, Certificate.revoked_at.is_(None))
            .values(revoked_at=now, revocation_reason=f"Replaced by certificate {new.public_id}")
            .execution_options(synchronize_session=False)
        )
        if replaced.rowcount != 1:  # revoked meanwhile by another admin
            raise AwardError("A revoked certificate cannot be reissued.")
        bump_revision(db)
        db.commit()
    except IntegrityError:
        # A second reissue of the same certificate raced this one: the unique award key
        # stopped it, and the first one's replacement is the answer.
        db.rollback()
        existing = replacement_of(certificate)
        if existing is None:
            raise
        return existing
    except Exception:
        db.rollback()
        raise
    db.refresh(certificate)
    return new
