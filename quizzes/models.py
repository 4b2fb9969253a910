"""Tables of the quiz engine (all prefixed ``quiz_``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, MetaData, Numeric, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Base(DeclarativeBase):
    metadata = metadata


class Quiz(Base):
    __tablename__ = "quiz_quiz"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    #: Share of the points needed to pass, in percent (0-100).
    pass_percent: Mapped[int] = mapped_column(default=70)
    created_at: Mapped[datetime]

    questions: Mapped[list[Question]] = relationship(
        back_populates="quiz", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(Base):
    __tablename__ = "quiz_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz_quiz.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    #: Name of a registered question type (see quizzes.types).
    qtype: Mapped[str] = mapped_column(String(40))
    prompt: Mapped[str] = mapped_column(Text)
    points: Mapped[int] = mapped_column(default=1)
    #: Type-specific settings, including the answer key; never sent to a learner as is.
    config: Mapped[dict[str, Any]] = mapped_column(JSON)

    quiz: Mapped[Quiz] = relationship(back_populates="questions")


class Attempt(Base):
    __tablename__ = "quiz_attempt"
    __table_args__ = (Index("ix_quiz_attempt_user_context", "user_id", "context"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz_quiz.id"), index=True)
    #: The caller's id for the person taking the quiz; the engine never joins on it.
    user_id: Mapped[int]
    #: An opaque key chosen by the caller (the LMS passes "enrolment:<id>").
    context: Mapped[str] = mapped_column(String(100))
    #: "open" while answering, "graded" once finished; finishing is a conditional update.
    state: Mapped[str] = mapped_column(String(10), default="open")
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    #: The questions and choice order drawn for this attempt, frozen at start:
    #: [{"question_id": 3, "choices": ["c1", "c3", "c2"]}, ...]
    layout: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: Saved answers: {"<question id>": ["<choice id>", ...]}.
    responses: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    score: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    max_score: Mapped[int | None]
    passed: Mapped[bool | None]
