"""The credit ledger (the credit log): append-only, each entry chained to the one before by
its hash, so an edit made behind the application's back is found by ``lms verify-ledger``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from certificates.models import Certificate
from lms.db import Base

SOURCES = {
    "online_course": "Online course",
    "class_roster": "Class roster",
    "event": "Event attendance",
    "external_claim": "External claim",
    "reversal": "Correction",
}
#: How sure we are the learning happened, strongest first.
VERIFICATION_LEVELS = {
    "system": "System-verified",
    "trainer": "Trainer-confirmed",
    "reviewer": "Reviewer-approved",
    "self": "Self-reported",
}
GENESIS_HASH = "0" * 64


class CreditEntry(Base):
    __tablename__ = "lms_credit_entry"
    __table_args__ = (
        #: One entry per source event: a retried or raced award cannot write a second one.
        UniqueConstraint("source", "source_ref"),
        #: The chain is a line: each entry has exactly one place and one successor.
        UniqueConstraint("seq"),
        UniqueConstraint("prev_hash"),
        #: A person's entries by date: the credit log and transcript pages, the cycles a
        #: standing counts, and the count and newest id that stamp a person's ledger.
        Index("ix_lms_credit_entry_user_id_earned_on", "user_id", "earned_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The entry's place in the chain: 1, 2, 3...
    seq: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"))
    source: Mapped[str] = mapped_column(String(30))
    #: The source's own key, e.g. "enrolment:12", "event:3:user:7", "claim:5", "entry:9".
    source_ref: Mapped[str] = mapped_column(String(100))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("lms_course.id"))
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey(Certificate.id))
    description: Mapped[str] = mapped_column(String(300))
    #: Negative in a reversing entry.
    credits: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    credit_unit: Mapped[str] = mapped_column(String(20))
    hours: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    category: Mapped[str] = mapped_column(String(40), default="general", server_default="general")
    #: One of VERIFICATION_LEVELS.
    verification: Mapped[str] = mapped_column(String(20), default="system", server_default="system")
    earned_on: Mapped[date]
    #: The certification cycles the entry counts toward when written:
    #: [{"rule": code, "certification": code, "start": iso, "end": iso}].
    cycles: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: A correction reverses an earlier entry (once); nothing is ever edited or deleted.
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("lms_credit_entry.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    created_at: Mapped[datetime]
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)

    @property
    def source_label(self) -> str:
        return SOURCES.get(self.source, self.source)

    @property
    def verification_label(self) -> str:
        return VERIFICATION_LEVELS.get(self.verification, self.verification)


class LedgerHead(Base):
    """The chain's newest link, in one row (id 1). An append updates it first, which
    serializes appends (a row lock on PostgreSQL, the write lock on SQLite); and it lets
    ``lms verify-ledger`` notice entries deleted from the end."""

    __tablename__ = "lms_ledger_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    entry_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
