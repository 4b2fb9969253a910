"""Providers, certifications, courses and their modules."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Base, metadata
from quizzes.models import Quiz

course_certification = Table(
    "lms_course_certification",
    metadata,
    Column("course_id", ForeignKey("lms_course.id", ondelete="CASCADE"), primary_key=True),
    Column("certification_id", ForeignKey("lms_certification.id"), primary_key=True),
    #: The courses that count toward a certification (the compliance page's suggestions).
    Index("ix_lms_course_certification_certification_id", "certification_id"),
)


class Provider(Base):
    __tablename__ = "lms_provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    website: Mapped[str] = mapped_column(String(300), default="")


class Certification(Base):
    """A trade certification whose holders need CECs each renewal cycle."""

    __tablename__ = "lms_certification"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    credits_required: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    credit_unit: Mapped[str] = mapped_column(String(20), default="CEC")
    cycle_years: Mapped[int]
    #: The regime's length of one credit in minutes of study (60 when 1 CEC = 1 hour, 420
    #: under the older 7-hour rule) and the step credits are granted in; the studio's
    #: credit estimator uses both.
    minutes_per_credit: Mapped[int] = mapped_column(default=60, server_default="60")
    credit_step: Mapped[Decimal] = mapped_column(
        Numeric(4, 2), default=Decimal("0.5"), server_default="0.5"
    )


#: A course version's lifecycle, in order. Only "draft" is editable; editing a published
#: course makes a new draft version under the same slug.
COURSE_STATES = ("draft", "submitted", "approved", "published", "retired")


class Course(Base):
    """One version of a course. The versions of a course share its slug; learners stay on the
    version they enrolled in, and the catalogue shows the published one."""

    __tablename__ = "lms_course"
    __table_args__ = (
        UniqueConstraint("slug", "version"),
        #: The catalogue: published courses by title, counted and paged from the index alone.
        Index("ix_lms_course_status_title", "status", "title", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    provider_id: Mapped[int] = mapped_column(ForeignKey("lms_provider.id"))
    credits: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    credit_unit: Mapped[str] = mapped_column(String(20), default="CEC")
    version: Mapped[int] = mapped_column(default=1)
    #: One of COURSE_STATES; only published versions are in the catalogue.
    status: Mapped[str] = mapped_column(String(20), default="draft")
    #: The certifying body's approval, recorded by an admin: credit is awarded only while
    #: it holds (through approval_expires_on, inclusive).
    approval_number: Mapped[str | None] = mapped_column(String(60))
    approved_on: Mapped[date | None]
    approval_expires_on: Mapped[date | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    submitted_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    retired_at: Mapped[datetime | None]
    #: The reviewer's reason when a submission was sent back to draft.
    review_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: The trainer's reason, given on submission, for claiming more credit than the estimate.
    credit_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    final_quiz_id: Mapped[int | None] = mapped_column(ForeignKey(Quiz.id))
    #: The trainer who authors the course; None for courses only admins manage.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"), index=True)
    created_at: Mapped[datetime]
    #: The catalogue card's picture (an uploaded image shared by the slug's versions); None
    #: shows a generated one. And the trainer's expected study time, shown on the card.
    image_media_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_media.id", ondelete="SET NULL")
    )
    duration_minutes: Mapped[int | None]

    provider: Mapped[Provider] = relationship()
    certifications: Mapped[list[Certification]] = relationship(
        secondary=course_certification, order_by=Certification.code
    )
    modules: Mapped[list[Module]] = relationship(
        back_populates="course", order_by="Module.position", cascade="all, delete-orphan"
    )


class Module(Base):
    __tablename__ = "lms_module"
    __table_args__ = (UniqueConstraint("course_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    #: Markdown; rendered and sanitized on display.
    body: Mapped[str] = mapped_column(Text)
    #: A video or other media by link (https), or an uploaded file; and how many minutes of
    #: it the learner is expected to watch or listen to (for the credit estimator).
    media_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    media_id: Mapped[int | None] = mapped_column(ForeignKey("lms_media.id", ondelete="SET NULL"))
    media_minutes: Mapped[int] = mapped_column(default=0, server_default="0")

    course: Mapped[Course] = relationship(back_populates="modules")
    media: Mapped[Media | None] = relationship()


class Media(Base):
    """An uploaded file for a course's modules, kept in the database so it is backed up and
    written in the same transaction as the module that uses it. Shared by every version of
    the course (keyed by its slug), so a new version copies no bytes."""

    __tablename__ = "lms_media"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_slug: Mapped[str] = mapped_column(String(120), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    #: Deferred: pages that show a module load the file's name and type, never its bytes.
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    created_at: Mapped[datetime]


class Holding(Base):
    """A certification a person holds: its number (printed on certificates and rosters) and
    the date they were certified (the anchor of their renewal cycles)."""

    __tablename__ = "lms_holding"
    __table_args__ = (UniqueConstraint("user_id", "certification_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    certification_id: Mapped[int] = mapped_column(ForeignKey("lms_certification.id"))
    number: Mapped[str] = mapped_column(String(40))
    certified_on: Mapped[date]
    created_at: Mapped[datetime]

    certification: Mapped[Certification] = relationship()
