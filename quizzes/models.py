"""Tables of the quiz engine (all prefixed ``quiz_``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, MetaData, Numeric, String, Text, text
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
    #: None for unlimited.
    max_attempts: Mapped[int | None]
    #: Minutes to wait after a failed attempt before the next one.
    cooldown_minutes: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Which graded attempt is the quiz's result: "highest" or "latest".
    grading_method: Mapped[str] = mapped_column(
        String(10), default="highest", server_default="highest"
    )
    #: None for untimed. The deadline is fixed on the server when an attempt starts.
    time_limit_minutes: Mapped[int | None]
    #: What a learner sees after submitting: "score", "wrong" (which were wrong) or
    #: "answers" (the correct answers and feedback).
    review_shows: Mapped[str] = mapped_column(String(10), default="score", server_default="score")
    #: When that review opens: "immediately", "after_pass" or "after_last_attempt".
    review_when: Mapped[str] = mapped_column(
        String(20), default="immediately", server_default="immediately"
    )
    #: How an attempt draws its questions: [{"pool": name, "count": n or null, "tag": t or null}].
    #: Empty: every question of the quiz.
    draw_rules: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list, server_default="[]"
    )

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
    #: A short name for authors and reports (GIFT's ::title::); learners never see it.
    title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    prompt: Mapped[str] = mapped_column(Text)
    points: Mapped[int] = mapped_column(default=1)
    #: Type-specific settings, including the answer key; never sent to a learner as is.
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Shown in a review once the quiz's review policy allows the answers.
    explanation: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: The pool (question bank category) the question belongs to within its quiz.
    pool: Mapped[str] = mapped_column(String(100), default="Default", server_default="Default")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")

    quiz: Mapped[Quiz] = relationship(back_populates="questions")


class Attempt(Base):
    __tablename__ = "quiz_attempt"
    __table_args__ = (
        Index("ix_quiz_attempt_user_context", "user_id", "context"),
        # At most one open attempt per person and context, even when two starts race.
        Index(
            "uq_quiz_attempt_one_open",
            "user_id",
            "context",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz_quiz.id"), index=True)
    #: The caller's id for the person taking the quiz; the engine never joins on it.
    user_id: Mapped[int]
    #: An opaque key chosen by the caller (the LMS passes "enrolment:<id>").
    context: Mapped[str] = mapped_column(String(100))
    #: "open" while answering, "graded" once finished; finishing is a conditional update.
    state: Mapped[str] = mapped_column(String(10), default="open")
    started_at: Mapped[datetime]
    #: started_at + the quiz's time limit, fixed at start; None when untimed.
    deadline: Mapped[datetime | None]
    #: When answers were last saved while open (autosave or a save button).
    saved_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    #: "submitted" by the learner, or "timed_out" (closed at the deadline with saved answers).
    finish_reason: Mapped[str | None] = mapped_column(String(20))
    #: The questions drawn for this attempt and their order, frozen at start, with what each
    #: type freezes besides (e.g. the order of choices):
    #: [{"question_id": 3, "choices": ["c1", "c3", "c2"]}, ...]
    layout: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: Saved answers: {"<question id>": ["<choice id or text>", ...]}.
    responses: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    score: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    max_score: Mapped[int | None]
    passed: Mapped[bool | None]
