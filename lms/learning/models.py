"""A learner's enrolment in a course and their progress through its modules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.catalogue.models import Course, Module
from lms.db import Base


class Enrolment(Base):
    __tablename__ = "lms_enrolment"
    #: A retake is a new enrolment numbered after the last: each can be awarded once.
    __table_args__ = (UniqueConstraint("user_id", "course_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id"), index=True)
    #: The course version the learner started; they keep it until they finish.
    course_version: Mapped[int]
    enrolled_at: Mapped[datetime]
    #: Set once, by the conditional update that awards the course's credit.
    completed_at: Mapped[datetime | None]
    #: 1 for the first enrolment in the course, then one more per retake.
    number: Mapped[int] = mapped_column(default=1, server_default="1")
    #: Set when the certificate this enrolment earned was revoked with a retake: the learner
    #: may enrol again (a new enrolment) to earn the credit once more.
    retake_allowed_at: Mapped[datetime | None]

    course: Mapped[Course] = relationship()
    completions: Mapped[list[ModuleCompletion]] = relationship(back_populates="enrolment")


class ModuleCompletion(Base):
    __tablename__ = "lms_module_completion"
    __table_args__ = (UniqueConstraint("enrolment_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("lms_enrolment.id", ondelete="CASCADE"), index=True
    )
    module_id: Mapped[int] = mapped_column(ForeignKey(Module.id))
    completed_at: Mapped[datetime]

    enrolment: Mapped[Enrolment] = relationship(back_populates="completions")
