"""Writing to and reading the credit ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from certificates import Certificate, CertificateFacts, issue_certificate
from certificates.issuing import sign_certificate
from lms.accounts.models import User
from lms.awards.issuer import ensure_signing_key, issuer, seal_keys
from lms.catalogue.models import Course, Holding
from lms.catalogue.operations import credit_refusal
from lms.credits.ledger import append_entry
from lms.credits.models import CreditEntry
from lms.db import session
from lms.learning.models import Enrolment
from lms.notifications.messages import certificate_issued
from lms.requirements.operations import cycles_for


def award_key(enrolment: Enrolment) -> str:
    return f"course-enrolment:{enrolment.id}"


def award_course_completion(enrolment: Enrolment, now: datetime) -> Certificate | None:
    """Complete the enrolment, issue its certificate and write its credit entry.

    Runs inside the caller's transaction (the caller commits). Only the call whose conditional
    update completes the enrolment writes anything; the unique constraints on the ledger's
    source and the certificate's award key stop a second write even if that guard were bypassed.
    Nothing is awarded once the course's approval has lapsed (the pages say why).
    """
    if credit_refusal(enrolment.course, now.date()):
        return None
    db = session()
    won = db.execute(
        update(Enrolment)
        .where(Enrolment.id == enrolment.id, Enrolment.completed_at.is_(None))
        .values(completed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        db.refresh(enrolment)
        return certificate_for_enrolment(enrolment)
    set_committed_value(enrolment, "completed_at", now)  # what the row holds now: no re-read

    course = enrolment.course
    learner = db.get(User, enrolment.user_id)
    facts = CertificateFacts(
        learner_name=learner.name,
        course_title=course.title,
        course_version=enrolment.course_version,
        provider=course.provider.name,
        credits=Decimal(course.credits),
        credit_unit=course.credit_unit,
        completed_on=now.date(),
        certification_numbers=certification_numbers(learner.id, course),
        approval_number=course.approval_number or "",
    )
    certificate = issue_certificate(db, award_key=award_key(enrolment), facts=facts, now=now)
    sign(
        certificate, course_slug=course.slug, course_description=course.summary, email=learner.email
    )
    append_entry(
        db,
        user_id=enrolment.user_id,
        source="online_course",
        source_ref=f"enrolment:{enrolment.id}",
        course_id=course.id,
        certificate_id=certificate.id,
        description=course.title,
        credits=course.credits,
        credit_unit=course.credit_unit,
        verification="system",
        cycles=cycles_for(enrolment.user_id, [c.code for c in course.certifications], now.date()),
        earned_on=now.date(),
        now=now,
    )
    certificate_issued(certificate, facts, enrolment.user_id)
    db.flush()
    return certificate


def certification_numbers(user_id: int, course: Course) -> str:
    """The learner's numbers for the certifications the course counts toward: "WRT 12345"."""
    wanted = [c.id for c in course.certifications]
    holdings = session().scalars(
        select(Holding).where(Holding.user_id == user_id, Holding.certification_id.in_(wanted))
    )
    return "; ".join(sorted(f"{h.certification.code} {h.number}" for h in holdings))


def sign(
    certificate: Certificate,
    *,
    course_slug: str,
    course_description: str,
    email: str,
    signed_at: datetime | None = None,
    valid_until: datetime | None = None,
) -> None:
    """Sign the certificate as an Open Badges credential (once; inside the caller's unit of
    work, which must have called ``prepare_signing`` before it began). The end of validity is
    ``valid_until`` when given, else LMS_CERTIFICATE_VALID_DAYS after issue."""
    valid_days = current_app.config["LMS_CERTIFICATE_VALID_DAYS"]
    if valid_until is None and valid_days:
        valid_until = certificate.issued_at + timedelta(days=valid_days)
    sign_certificate(
        session(),
        certificate,
        issuer=issuer(),
        key=ensure_signing_key(),
        course_slug=course_slug,
        course_description=course_description,
        learner_email=email,
        valid_until=valid_until,
        signed_at=signed_at,
        seal_key=seal_keys()[0],
    )


def certificate_for_enrolment(enrolment: Enrolment) -> Certificate | None:
    return (
        session()
        .scalars(select(Certificate).where(Certificate.award_key == award_key(enrolment)))
        .first()
    )


@dataclass(frozen=True)
class LedgerLine:
    entry: CreditEntry
    certificate_public_id: str | None
    #: The correction that reversed this entry, if any.
    reversed_by: CreditEntry | None = None


def ledger_of(user_id: int) -> list[LedgerLine]:
    rows = (
        session()
        .execute(
            select(CreditEntry, Certificate.public_id)
            .outerjoin(Certificate, Certificate.id == CreditEntry.certificate_id)
            .where(CreditEntry.user_id == user_id)
            .order_by(CreditEntry.earned_on.desc(), CreditEntry.id.desc())
        )
        .all()
    )
    # A reversal belongs to the same person as the entry it reverses: no second query.
    reversals = {e.reverses_id: e for e, _ in rows if e.reverses_id is not None}
    return [LedgerLine(e, public_id, reversals.get(e.id)) for e, public_id in rows]


def totals_by_unit(lines: list[LedgerLine]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for line in lines:
        unit = line.entry.credit_unit
        totals[unit] = totals.get(unit, Decimal(0)) + Decimal(line.entry.credits)
    return totals
