"""Creating quizzes from plain definitions (used by the demo data and, later, the studio)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from quizzes.models import Question, Quiz
from quizzes.types import QUESTION_TYPES, DefinitionError


class QuizDefinitionError(ValueError):
    """A quiz definition was refused; the message says which question and why."""


def create_quiz(
    session: Session,
    *,
    title: str,
    pass_percent: int,
    questions: list[dict[str, Any]],
    now: datetime,
) -> Quiz:
    """Add a quiz and its questions to ``session`` (the caller commits)."""
    if not 0 <= pass_percent <= 100:
        raise QuizDefinitionError("the pass mark must be between 0 and 100 percent")
    if not questions:
        raise QuizDefinitionError("a quiz needs at least one question")
    quiz = Quiz(title=title, pass_percent=pass_percent, created_at=now)
    for position, spec in enumerate(questions, start=1):
        qtype = QUESTION_TYPES.get(spec.get("type", ""))
        if qtype is None:
            raise QuizDefinitionError(f"question {position}: unknown type {spec.get('type')!r}")
        try:
            config = qtype.build_config(spec)
        except DefinitionError as exc:
            raise QuizDefinitionError(f"question {position}: {exc}") from exc
        points = int(spec.get("points", 1))
        if points < 1:
            raise QuizDefinitionError(f"question {position}: points must be at least 1")
        quiz.questions.append(
            Question(
                position=position,
                qtype=qtype.name,
                prompt=str(spec["prompt"]),
                points=points,
                config=config,
            )
        )
    session.add(quiz)
    return quiz
