"""The credit ledger: one row per credit earned, written once."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from certificates.models import Certificate
from lms.db import Base

SOURCES = {"online_course": "Online course"}


class CreditEntry(Base):
    __tablename__ = "lms_credit_entry"
    #: One entry per source event: a retried or raced award cannot write a second one.
    __table_args__ = (UniqueConstraint("source", "source_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    source: Mapped[str] = mapped_column(String(30))
    #: The source's own key, e.g. "enrolment:12".
    source_ref: Mapped[str] = mapped_column(String(100))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("lms_course.id"))
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey(Certificate.id))
    description: Mapped[str] = mapped_column(String(300))
    credits: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    credit_unit: Mapped[str] = mapped_column(String(20))
    earned_on: Mapped[date]
    created_at: Mapped[datetime]

    @property
    def source_label(self) -> str:
        return SOURCES.get(self.source, self.source)
