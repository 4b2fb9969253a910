"""External credit claims: a learner's in-person course or event, with evidence, reviewed."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, LargeBinary, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.catalogue.models import Certification
from lms.db import Base

CLAIM_STATES = ("pending", "approved", "rejected")


class CreditClaim(Base):
    __tablename__ = "lms_credit_claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    #: "course" (an in-person class) or "event" (a workshop, seminar, trade show).
    kind: Mapped[str] = mapped_column(String(20))
    #: The certification the learner claims for (one they hold); None: every certification
    #: that counts in the claim's unit (claims sent before the choice existed).
    certification_id: Mapped[int | None] = mapped_column(ForeignKey("lms_certification.id"))
    title: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200))
    completed_on: Mapped[date]
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    credits: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    credit_unit: Mapped[str] = mapped_column(String(20), default="CEC")
    category: Mapped[str] = mapped_column(String(40), default="general")
    evidence_filename: Mapped[str] = mapped_column(String(200))
    evidence_type: Mapped[str] = mapped_column(String(100))
    evidence_size: Mapped[int]
    evidence_sha256: Mapped[str] = mapped_column(String(64))
    #: Deferred: lists and pages never load the file's bytes.
    evidence_data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    #: One of CLAIM_STATES; decided once, by a conditional update.
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    reviewed_at: Mapped[datetime | None]
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]

    certification: Mapped[Certification | None] = relationship()


class PendingEvidence(Base):
    """Evidence sent with a claim form that failed validation, kept so the learner need not
    choose the file again: the form carries ``token``, the next complete send takes it. Kept
    in the database, not on one host's disk, so any host can finish the claim."""

    __tablename__ = "lms_pending_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random and unguessable; only its owner's next send may use it.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime]
