"""The kinds of notification, with the words the preferences page uses for each.

Security e-mails (password resets) are not notifications: they are always sent and never
listed here, so nobody can turn them off.
"""

from __future__ import annotations

from dataclasses import dataclass

CERTIFICATE_ISSUED = "certificate-issued"
CERTIFICATE_REVOKED = "certificate-revoked"
CLAIM_DECIDED = "claim-decided"
COURSE_REVIEWED = "course-reviewed"
EVENT_REMINDER = "event-reminder"
INSTRUCTOR_ANSWER = "instructor-answer"


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    #: Who gets it, for the preferences page.
    description: str


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind(CERTIFICATE_ISSUED, "Certificate issued", "when you pass a course"),
        Kind(
            CERTIFICATE_REVOKED,
            "Certificate revoked",
            "when an administrator revokes a certificate of yours and takes back its credit",
        ),
        Kind(CLAIM_DECIDED, "Credit claim decided", "when a reviewer approves or rejects a claim"),
        Kind(
            COURSE_REVIEWED,
            "Course approved or sent back",
            "for trainers: when an admin reviews a course you submitted",
        ),
        Kind(EVENT_REMINDER, "Event reminder", "the day before an event you registered for"),
        Kind(
            INSTRUCTOR_ANSWER,
            "An instructor's answer",
            "when an instructor answers a question you asked",
        ),
    )
}
