"""What a learner may see of a finished attempt, by the quiz's review policy.

Levels, from least to most: "score" (the total only), "wrong" (which questions were right,
partly right or wrong, and the learner's own answers), "answers" (also the correct answers,
the feedback and the explanations). While any attempt in the context is open, the level is
"score": a second tab must not show the answers of an earlier attempt during a new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizzes.models import Attempt, Question, Quiz
from quizzes.types import QUESTION_TYPES

LEVELS = ("score", "wrong", "answers")
REVIEW_WHEN = ("immediately", "after_pass", "after_last_attempt")


@dataclass(frozen=True)
class ReviewedQuestion:
    number: int
    prompt: str
    points: int
    earned: Decimal
    #: "correct", "partial", "wrong" or "unanswered".
    status: str
    given: list[str]
    correct: list[str]
    feedback: list[str]
    explanation: str


def review_level(quiz: Quiz, attempts: Sequence[Attempt]) -> str:
    """The level the policy allows now, given every attempt in the context."""
    if any(a.state == "open" for a in attempts):
        return "score"
    if quiz.review_when == "after_pass":
        return quiz.review_shows if any(a.passed for a in attempts) else "score"
    if quiz.review_when == "after_last_attempt":
        # "Last" means no further attempt is possible: passed, or out of attempts.
        finished = any(a.passed for a in attempts) or (
            quiz.max_attempts is not None
            and sum(a.state == "graded" for a in attempts) >= quiz.max_attempts
        )
        return quiz.review_shows if finished else "score"
    return quiz.review_shows


def review_attempt(session: Session, attempt: Attempt, level: str) -> list[ReviewedQuestion]:
    """Per-question review of a graded attempt at ``level``; empty at "score"."""
    if level == "score" or attempt.state != "graded":
        return []
    ids = [item["question_id"] for item in attempt.layout]
    by_id = {q.id: q for q in session.scalars(select(Question).where(Question.id.in_(ids)))}
    reviewed = []
    for number, item in enumerate(attempt.layout, start=1):
        question = by_id[item["question_id"]]
        qtype = QUESTION_TYPES[question.qtype]
        response = list(attempt.responses.get(str(question.id), []))
        fraction = qtype.grade(question.config, response)
        if not response:
            status = "unanswered"
        elif fraction == 1:
            status = "correct"
        elif fraction > 0:
            status = "partial"
        else:
            status = "wrong"
        detail = qtype.review(question.config, response)
        show_answers = level == "answers"
        reviewed.append(
            ReviewedQuestion(
                number=number,
                prompt=question.prompt,
                points=question.points,
                earned=fraction * question.points,
                status=status,
                given=detail.given,
                correct=detail.correct if show_answers else [],
                feedback=detail.feedback if show_answers else [],
                explanation=question.explanation if show_answers else "",
            )
        )
    return reviewed


__all__ = ["LEVELS", "REVIEW_WHEN", "ReviewedQuestion", "review_attempt", "review_level"]
