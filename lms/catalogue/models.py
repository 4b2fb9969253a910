"""Providers, certifications, courses and their modules."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Base, metadata
from quizzes.models import Quiz

course_certification = Table(
    "lms_course_certification",
    metadata,
    Column("course_id", ForeignKey("lms_course.id", ondelete="CASCADE"), primary_key=True),
    Column("certification_id", ForeignKey("lms_certification.id"), primary_key=True),
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


class Course(Base):
    __tablename__ = "lms_course"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    provider_id: Mapped[int] = mapped_column(ForeignKey("lms_provider.id"))
    credits: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    credit_unit: Mapped[str] = mapped_column(String(20), default="CEC")
    version: Mapped[int] = mapped_column(default=1)
    #: "draft" or "published"; only published courses are in the catalogue.
    status: Mapped[str] = mapped_column(String(20), default="draft")
    final_quiz_id: Mapped[int | None] = mapped_column(ForeignKey(Quiz.id))
    #: The trainer who authors the course; None for courses only admins manage.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"), index=True)
    created_at: Mapped[datetime]

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

    course: Mapped[Course] = relationship(back_populates="modules")
