"""Attempts: start or resume, show without the key, finish exactly once."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from quizzes.grading import Grade, GradedQuestion, grade
from quizzes.models import Attempt, Question, Quiz
from quizzes.types import QUESTION_TYPES

_system_random = random.SystemRandom()


class AttemptError(LookupError):
    """No such attempt for this person."""


class InvalidResponse(ValueError):
    """A submission names a question or choice that is not part of the attempt."""


@dataclass(frozen=True)
class PresentedQuestion:
    """What a learner may see of a question while the attempt is open."""

    id: int
    number: int
    prompt: str
    points: int
    widget: str
    choices: list[dict[str, str]]
    selected: list[str]


@dataclass(frozen=True)
class FinishResult:
    attempt: Attempt
    #: True only for the one call that moved the attempt from open to graded.
    newly_graded: bool


def open_or_resume_attempt(
    session: Session,
    *,
    quiz_id: int,
    user_id: int,
    context: str,
    now: datetime,
    rng: random.Random | None = None,
) -> Attempt:
    """Return the person's open attempt in this context, or start one with a frozen layout."""
    attempt = session.scalars(
        select(Attempt)
        .where(
            Attempt.quiz_id == quiz_id,
            Attempt.user_id == user_id,
            Attempt.context == context,
            Attempt.state == "open",
        )
        .order_by(Attempt.id)
    ).first()
    if attempt is not None:
        return attempt
    rng = rng or _system_random
    questions = list(
        session.scalars(
            select(Question).where(Question.quiz_id == quiz_id).order_by(Question.position)
        )
    )
    if not questions:
        raise AttemptError("this quiz has no questions yet")
    rng.shuffle(questions)
    layout = []
    for question in questions:
        choice_ids = [c["id"] for c in QUESTION_TYPES[question.qtype].choices(question.config)]
        if question.qtype != "truefalse":  # "True, False" reads oddly the other way round
            rng.shuffle(choice_ids)
        layout.append({"question_id": question.id, "choices": choice_ids})
    attempt = Attempt(
        quiz_id=quiz_id,
        user_id=user_id,
        context=context,
        state="open",
        started_at=now,
        layout=layout,
        responses={},
    )
    session.add(attempt)
    session.flush()
    return attempt


def get_attempt(session: Session, attempt_id: int, user_id: int) -> Attempt:
    if not 0 < attempt_id < 2**31:  # ids are 32-bit keys; a larger one would overflow
        raise AttemptError("no such attempt")
    attempt = session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user_id:
        raise AttemptError("no such attempt")
    return attempt


def _questions_of(session: Session, attempt: Attempt) -> dict[int, Question]:
    ids = [item["question_id"] for item in attempt.layout]
    return {q.id: q for q in session.scalars(select(Question).where(Question.id.in_(ids)))}


def presented_questions(session: Session, attempt: Attempt) -> list[PresentedQuestion]:
    """The attempt's questions in their frozen order, with choices but no answer key."""
    by_id = _questions_of(session, attempt)
    presented = []
    for number, item in enumerate(attempt.layout, start=1):
        question = by_id[item["question_id"]]
        qtype = QUESTION_TYPES[question.qtype]
        texts = {c["id"]: c["text"] for c in qtype.choices(question.config)}
        presented.append(
            PresentedQuestion(
                id=question.id,
                number=number,
                prompt=question.prompt,
                points=question.points,
                widget=qtype.widget,
                choices=[{"id": cid, "text": texts[cid]} for cid in item["choices"]],
                selected=list(attempt.responses.get(str(question.id), [])),
            )
        )
    return presented


def _checked_responses(
    attempt: Attempt, by_id: Mapping[int, Question], raw: Mapping[str, Sequence[str]]
) -> dict[str, list[str]]:
    allowed = {str(item["question_id"]) for item in attempt.layout}
    responses: dict[str, list[str]] = {}
    for key, values in raw.items():
        if key not in allowed:
            raise InvalidResponse(
                "Your answers could not be read: they name a question outside this attempt"
            )
        question = by_id[int(key)]
        values = [str(v) for v in values]
        if not QUESTION_TYPES[question.qtype].valid_response(question.config, values):
            raise InvalidResponse(
                f"Your answers could not be read: the answer to question {key} is not one of "
                "its choices"
            )
        responses[key] = values
    return responses


def finish_attempt(
    session: Session,
    *,
    attempt_id: int,
    user_id: int,
    responses: Mapping[str, Sequence[str]],
    now: datetime,
) -> FinishResult:
    """Grade and close an open attempt. Safe to call twice or concurrently: only one call wins.

    The caller commits. A second call, or a loser of a race, gets the graded attempt back
    with ``newly_graded`` false.
    """
    attempt = get_attempt(session, attempt_id, user_id)
    if attempt.state != "open":
        return FinishResult(attempt, newly_graded=False)
    by_id = _questions_of(session, attempt)
    checked = _checked_responses(attempt, by_id, responses)
    quiz = session.get(Quiz, attempt.quiz_id)
    result: Grade = grade(
        (
            GradedQuestion(q.qtype, q.points, q.config, checked.get(str(q.id), []))
            for q in (by_id[item["question_id"]] for item in attempt.layout)
        ),
        quiz.pass_percent,
    )
    won = session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.state == "open")
        .values(
            state="graded",
            finished_at=now,
            responses=checked,
            score=result.score,
            max_score=result.max_score,
            passed=result.passed,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(attempt)
    return FinishResult(attempt, newly_graded=won == 1)
