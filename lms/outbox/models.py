"""The outbox: e-mail written in the same transaction as what caused it, sent after commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base


class OutboxMessage(Base):
    __tablename__ = "lms_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Makes a message idempotent: e.g. "reminder:<user>:<rule>:<due date>:30" is queued once
    #: however often `lms send-reminders` runs. None for messages that may repeat.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    #: The lease of the deliverer sending it now (or the time a failed one may be retried):
    #: no other deliverer claims it before then. None: never claimed.
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
