"""What each kind of notification says and to whom: one function per event, called in the
transaction that writes the event (each is one line at its place: awards, claims, approvals,
reminders). Each returns how many people were newly notified."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from lms.accounts.models import User
from lms.clock import now as clock_now
from lms.db import session
from lms.events.models import Event, Registration
from lms.events.registration import REGISTERED
from lms.notifications import kinds
from lms.notifications.operations import notify
from lms.rendering import format_number
from lms.times import local_text, zone_named

if TYPE_CHECKING:
    from certificates import Certificate, CertificateFacts
    from lms.catalogue.models import Course
    from lms.claims.models import CreditClaim


def certificate_issued(certificate: Certificate, facts: CertificateFacts, user_id: int) -> int:
    """To the learner, with the link to the certificate."""
    credits = f"{format_number(facts.credits)} {facts.credit_unit}"
    return int(
        notify(
            session(),
            user_id=user_id,
            kind=kinds.CERTIFICATE_ISSUED,
            subject_key=f"certificate:{certificate.id}",
            title=f"Your certificate for {facts.course_title} is ready",
            body=(
                f"You passed {facts.course_title} and earned {credits}. Your certificate is "
                "ready: open it to download the PDF or share its verification link."
            ),
            endpoint="lms.awards.certificate_page",
            values={"public_id": certificate.public_id},
            now=certificate.issued_at,
        )
    )


def certificate_revoked(
    certificate: Certificate,
    course_title: str,
    reason: str,
    *,
    user_id: int,
    retake: bool,
    now: datetime,
) -> int:
    """To the holder: the certificate no longer counts, why, and whether a retake is open."""
    body = (
        f"Your certificate for {course_title} was revoked and its credit taken back from your "
        f"credit log. The reason given: {reason}"
    )
    body += (
        "\n\nYou may retake the course to earn the credit again: its page offers a new start."
        if retake
        else "\n\nIf you think this is a mistake, contact the course provider."
    )
    return int(
        notify(
            session(),
            user_id=user_id,
            kind=kinds.CERTIFICATE_REVOKED,
            subject_key=f"certificate:{certificate.id}",
            title=f"Certificate revoked: {course_title}",
            body=body,
            endpoint="lms.awards.certificate_page",
            values={"public_id": certificate.public_id},
            now=now,
        )
    )


def claim_decided(claim: CreditClaim, status: str, note: str, now: datetime) -> int:
    """To the claimant: approved (credited) or rejected with the reviewer's note."""
    credits = f"{format_number(claim.credits)} {claim.credit_unit}"
    if status == "approved":
        title = f"Claim approved: {claim.title}"
        body = (
            f"Your claim for {claim.title} ({claim.provider}) was approved: {credits} "
            "added to your credit log."
        )
    else:
        title = f"Claim not approved: {claim.title}"
        body = f"Your claim for {claim.title} ({claim.provider}) was not approved."
    if note:
        body += f"\n\nThe reviewer's note:\n{note}"
    return int(
        notify(
            session(),
            user_id=claim.user_id,
            kind=kinds.CLAIM_DECIDED,
            subject_key=f"claim:{claim.id}",
            title=title,
            body=body,
            endpoint="lms.claims.index",
            now=now,
        )
    )


def course_reviewed(
    course: Course,
    *,
    approved: bool,
    note: str,
    submitted_at: datetime | None,
    now: datetime | None = None,
) -> int:
    """To the course's trainer: approved (with its number) or sent back with the admin's note.
    A version may be sent back more than once: each submission (its time) is its own subject."""
    if course.owner_id is None:  # an admin-only course: the admin who acted knows already
        return 0
    now = now or clock_now()  # the lifecycle's steps take no time: read the LMS clock
    name = f"{course.title} (version {course.version})"
    if approved:
        subject = f"course:{course.id}:approved"
        title = f"Approved: {name}"
        body = (
            f"{name} is approved under {course.approval_number}, until "
            f"{course.approval_expires_on}. You can publish it now."
        )
    else:
        submitted = submitted_at.isoformat() if submitted_at else "unknown"
        subject = f"course:{course.id}:sent-back:{submitted}"
        title = f"Sent back: {name}"
        body = f"{name} was sent back to you as a draft. Change it and submit it again."
    if note:
        body += f"\n\nThe admin's note:\n{note}"
    return int(
        notify(
            session(),
            user_id=course.owner_id,
            kind=kinds.COURSE_REVIEWED,
            subject_key=subject,
            title=title,
            body=body,
            endpoint="lms.studio.course_versions",
            values={"slug": course.slug},
            now=now,
        )
    )


def instructor_answered(
    *,
    learner_id: int,
    answer_id: int,
    course_title: str,
    instructor_name: str,
    answer: str,
    endpoint: str,
    values: dict[str, object],
    now: datetime,
) -> int:
    """To the learner who asked: ready for the ask-the-instructor feature (not built yet),
    which calls it in the transaction that saves the answer and names the page showing it."""
    excerpt = answer if len(answer) <= 500 else answer[:497] + "..."
    return int(
        notify(
            session(),
            user_id=learner_id,
            kind=kinds.INSTRUCTOR_ANSWER,
            subject_key=f"answer:{answer_id}",
            title=f"{instructor_name} answered your question on {course_title}",
            body=f"{instructor_name} answered your question on {course_title}:\n\n{excerpt}",
            endpoint=endpoint,
            values=values,
            now=now,
        )
    )


def event_reminders(today: date, now: datetime) -> int:
    """To everyone holding a seat (not the waitlist) at an event that starts tomorrow, once per
    event and person however often the reminders job runs; in the caller's transaction."""
    start = datetime.combine(today + timedelta(days=1), time.min)
    seats = session().execute(
        select(Event, Registration.user_id, User.time_zone)
        .join(Registration, Registration.event_id == Event.id)
        .join(User, User.id == Registration.user_id)
        .where(
            Event.status == "scheduled",
            Event.starts_at >= start,
            Event.starts_at < start + timedelta(days=1),
            Registration.state == REGISTERED,
        )
        .order_by(Event.id, Registration.id)
    )
    notified = 0
    for event, user_id, zone_name in seats:
        # In the learner's own zone when they chose one, else the event's, else UTC.
        zone = zone_named(zone_name) or zone_named(event.time_zone) or zone_named("UTC")
        when = local_text(event.starts_at, zone)
        notified += notify(
            session(),
            user_id=user_id,
            kind=kinds.EVENT_REMINDER,
            subject_key=f"event:{event.id}",
            title=f"Tomorrow: {event.title}",
            body=(
                f"{event.title} starts tomorrow, {when}, at {event.place}. Check in there with "
                "the event's code or QR code to earn its "
                f"{format_number(event.credits)} {event.credit_unit}."
            ),
            endpoint="lms.events.event_page",
            values={"event_id": event.id},
            now=now,
        )
    return notified
