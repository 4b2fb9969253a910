"""In-person events (workshops, seminars, trade shows) and who attended them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Base


class Event(Base):
    __tablename__ = "lms_event"
    #: The learners' list: scheduled events not yet over, read without the past ones.
    __table_args__ = (Index("ix_lms_event_status_ends_at", "status", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    credits: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    credit_unit: Mapped[str] = mapped_column(String(20), default="CEC")
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    category: Mapped[str] = mapped_column(String(40), default="general")
    #: The certifications attendance counts toward, by code.
    certification_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: None for no limit.
    capacity: Mapped[int | None]
    #: A short code attendees type to check in (the QR carries a signed token instead).
    checkin_code: Mapped[str] = mapped_column(String(12), unique=True)
    #: "scheduled", then "confirmed" once the trainer confirms the roster (attendees are
    #: credited then), or "cancelled".
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    #: The IANA zone where the event takes place, shown beside the viewer's own; None when
    #: the trainer gave none.
    time_zone: Mapped[str | None] = mapped_column(String(64))

    attendances: Mapped[list[Attendance]] = relationship(
        back_populates="event", order_by="Attendance.checked_in_at", cascade="all, delete-orphan"
    )


class Attendance(Base):
    __tablename__ = "lms_event_attendance"
    #: One check-in per person and event, however often they scan.
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("lms_event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    checked_in_at: Mapped[datetime]
    #: "code", "qr" or "trainer" (added by the trainer on the roster).
    method: Mapped[str] = mapped_column(String(10))
    #: The trainer struck this attendee from the roster before confirming it.
    removed: Mapped[bool] = mapped_column(default=False)

    event: Mapped[Event] = relationship(back_populates="attendances")


class Registration(Base):
    """A learner's place at an event before it happens: a seat, a place on the waitlist, or
    cancelled. One row per person and event; registering again after cancelling replaces it
    with a new row, at the back of the queue (the queue is in id order)."""

    __tablename__ = "lms_event_registration"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        # Seats and the waitlist of one event, in queue order, without reading other events'.
        Index("ix_lms_event_registration_queue", "event_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("lms_event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    #: "registered" (holds a seat), "waitlisted" or "cancelled".
    state: Mapped[str] = mapped_column(String(12))
    #: When they joined the queue.
    queued_at: Mapped[datetime]
    #: When a freed seat moved them off the waitlist, once.
    promoted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
