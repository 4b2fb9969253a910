"""Attempts: start (or resume) with a frozen draw, autosave, finish exactly once, time out.

Every function takes the caller's session and ``now``; none commits. The caller commits, and
settles what a call closed (e.g. awards credit for a timed-out attempt that passed).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from quizzes.grading import Grade, GradedQuestion, grade
from quizzes.models import Attempt, Question, Quiz
from quizzes.types import QUESTION_TYPES, ResponseError

_system_random = random.SystemRandom()

#: How long after the deadline an answer is still taken (network latency, a slow phone).
DEFAULT_GRACE = timedelta(seconds=30)

MAX_ID = 2**31 - 1


class AttemptError(LookupError):
    """No such attempt for this person, or the quiz cannot be drawn."""


class AttemptClosed(AttemptError):
    """The attempt is already graded; nothing more can be saved to it."""


class AttemptExpired(Exception):
    """The attempt's deadline (plus grace) has passed; it must be closed, not answered."""


class AttemptRefused(Exception):
    """A new attempt may not start now; the message says why (and ``retry_at`` when)."""

    def __init__(self, message: str, retry_at: datetime | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class InvalidResponse(ValueError):
    """A submission names a question outside the attempt or an answer it cannot read."""


@dataclass(frozen=True)
class PresentedQuestion:
    """What a learner may see of a question while the attempt is open: no key, no feedback."""

    id: int
    number: int
    prompt: str
    points: int
    widget: str
    #: From the type's ``present``: choices, items to match, ... in the frozen order.
    data: dict
    #: The learner's saved answer.
    saved: list[str]

    @property
    def choices(self) -> list[dict[str, str]]:
        return self.data.get("choices", [])


@dataclass(frozen=True)
class FinishResult:
    attempt: Attempt
    #: True only for the one call that moved the attempt from open to graded.
    newly_graded: bool
    #: True when the deadline had passed: the answers sent were refused, the saved ones graded.
    late: bool = False


@dataclass(frozen=True)
class StartResult:
    attempt: Attempt
    #: True when an open attempt was picked up again rather than started.
    resumed: bool
    #: Expired attempts this call closed on the way (the caller settles them).
    closed: list[FinishResult] = field(default_factory=list)


@dataclass(frozen=True)
class StartCheck:
    allowed: bool
    reason: str = ""
    retry_at: datetime | None = None
    used: int = 0
    #: None when attempts are unlimited.
    remaining: int | None = None


# Looking attempts up ----------------------------------------------------------------------


def get_attempt(session: Session, attempt_id: int, user_id: int) -> Attempt:
    if not 0 < attempt_id <= MAX_ID:  # ids are 32-bit keys; a larger one would overflow
        raise AttemptError("no such attempt")
    attempt = session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user_id:
        raise AttemptError("no such attempt")
    return attempt


def attempts_in(session: Session, *, user_id: int, context: str) -> list[Attempt]:
    """Every attempt of a person in a context, oldest first."""
    return list(
        session.scalars(
            select(Attempt)
            .where(Attempt.user_id == user_id, Attempt.context == context)
            .order_by(Attempt.id)
        )
    )


def seconds_left(attempt: Attempt, now: datetime) -> int | None:
    """Whole seconds until the deadline (never negative); None when untimed or finished."""
    if attempt.deadline is None or attempt.state != "open":
        return None
    return max(0, int((attempt.deadline - now).total_seconds()))


def is_expired(attempt: Attempt, now: datetime, grace: timedelta = DEFAULT_GRACE) -> bool:
    return (
        attempt.state == "open" and attempt.deadline is not None and now > attempt.deadline + grace
    )


def quiz_result(attempts: Sequence[Attempt], method: str) -> Attempt | None:
    """The graded attempt that stands for the quiz: the highest (earliest of equals) or the
    latest."""
    graded = [a for a in attempts if a.state == "graded"]
    if not graded:
        return None
    if method == "latest":
        return max(graded, key=lambda a: (a.finished_at, a.id))
    return max(graded, key=lambda a: (a.score or Decimal(0), -a.id))


# Starting -----------------------------------------------------------------------------------


def start_check(quiz: Quiz, attempts: Sequence[Attempt], now: datetime) -> StartCheck:
    """May a new attempt start? Counts graded attempts; a pass ends the quiz."""
    graded = [a for a in attempts if a.state == "graded"]
    used = len(graded)
    remaining = None if quiz.max_attempts is None else max(0, quiz.max_attempts - used)
    if any(a.passed for a in graded):
        return StartCheck(False, "You have already passed this quiz.", None, used, remaining)
    if remaining == 0:
        plural = "attempt" if quiz.max_attempts == 1 else "attempts"
        return StartCheck(
            False, f"You have used all {quiz.max_attempts} {plural} at this quiz.", None, used, 0
        )
    if graded and quiz.cooldown_minutes:
        last = max(a.finished_at for a in graded if a.finished_at is not None)
        retry_at = last + timedelta(minutes=quiz.cooldown_minutes)
        if now < retry_at:
            return StartCheck(
                False,
                f"You can try again from {retry_at:%Y-%m-%d %H:%M} UTC.",
                retry_at,
                used,
                remaining,
            )
    return StartCheck(True, "", None, used, remaining)


def draw_questions(session: Session, quiz: Quiz, rng: random.Random) -> list[Question]:
    """The questions for one attempt, drawn by the quiz's rules and shuffled.

    Tagged rules draw first, so an untagged rule over the same pool cannot use up the
    questions a tagged one needs.
    """
    questions = list(
        session.scalars(
            select(Question).where(Question.quiz_id == quiz.id).order_by(Question.position)
        )
    )
    if not questions:
        raise AttemptError("this quiz has no questions yet")
    rules = sorted(quiz.draw_rules or [], key=lambda r: r.get("tag") is None)
    if not rules:
        drawn = questions
    else:
        drawn, taken = [], set()
        for rule in rules:
            candidates = [
                q
                for q in questions
                if q.pool == rule["pool"]
                and (rule.get("tag") is None or rule["tag"] in (q.tags or []))
                and q.id not in taken
            ]
            count = rule.get("count")
            if count is None:
                picked = candidates
            elif len(candidates) < count:
                tagged = f" tagged {rule['tag']!r}" if rule.get("tag") else ""
                raise AttemptError(
                    f"the pool {rule['pool']!r} has {len(candidates)} questions{tagged} left "
                    f"to draw, fewer than the {count} asked for"
                )
            else:
                picked = rng.sample(candidates, count)
            drawn.extend(picked)
            taken.update(q.id for q in picked)
        if not drawn:
            raise AttemptError("this quiz's draw rules select no questions")
    drawn = list(drawn)
    rng.shuffle(drawn)
    return drawn


def start_attempt(
    session: Session,
    *,
    quiz_id: int,
    user_id: int,
    context: str,
    now: datetime,
    rng: random.Random | None = None,
    grace: timedelta = DEFAULT_GRACE,
) -> StartResult:
    """Resume the person's open attempt in this context, or start one with a frozen draw.

    An open attempt past its deadline is closed first (graded with its saved answers).
    Raises AttemptRefused when the quiz's rules forbid a new attempt now. Two concurrent
    starts collide on a unique index; the loser's flush raises IntegrityError, and calling
    again after a rollback resumes the winner's attempt.
    """
    closed = close_expired(session, now=now, grace=grace, user_id=user_id, context=context)
    attempts = attempts_in(session, user_id=user_id, context=context)
    current = next((a for a in attempts if a.state == "open"), None)
    if current is not None:
        return StartResult(current, resumed=True, closed=closed)
    quiz = session.get(Quiz, quiz_id)
    if quiz is None:
        raise AttemptError("no such quiz")
    check = start_check(quiz, attempts, now)
    if not check.allowed:
        raise AttemptRefused(check.reason, check.retry_at)
    rng = rng or _system_random
    layout = [
        {"question_id": q.id, **QUESTION_TYPES[q.qtype].layout(q.config, rng)}
        for q in draw_questions(session, quiz, rng)
    ]
    deadline = now + timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None
    attempt = Attempt(
        quiz_id=quiz_id,
        user_id=user_id,
        context=context,
        state="open",
        started_at=now,
        deadline=deadline,
        layout=layout,
        responses={},
    )
    session.add(attempt)
    session.flush()
    return StartResult(attempt, resumed=False, closed=closed)


# Showing and answering ----------------------------------------------------------------------


def _questions_of(session: Session, attempt: Attempt) -> dict[int, Question]:
    ids = [item["question_id"] for item in attempt.layout]
    return {q.id: q for q in session.scalars(select(Question).where(Question.id.in_(ids)))}


def presented_questions(session: Session, attempt: Attempt) -> list[PresentedQuestion]:
    """The attempt's questions in their frozen order, as a learner may see them."""
    by_id = _questions_of(session, attempt)
    presented = []
    for number, item in enumerate(attempt.layout, start=1):
        question = by_id[item["question_id"]]
        qtype = QUESTION_TYPES[question.qtype]
        presented.append(
            PresentedQuestion(
                id=question.id,
                number=number,
                prompt=question.prompt,
                points=question.points,
                widget=qtype.widget,
                data=qtype.present(question.config, item),
                saved=list(attempt.responses.get(str(question.id), [])),
            )
        )
    return presented


def _checked_responses(
    attempt: Attempt, by_id: Mapping[int, Question], raw: Mapping[str, Sequence[str]]
) -> dict[str, list[str]]:
    numbers = {str(item["question_id"]): n for n, item in enumerate(attempt.layout, start=1)}
    responses: dict[str, list[str]] = {}
    for key, values in raw.items():
        if key not in numbers:
            raise InvalidResponse(
                "Your answers could not be read: they name a question outside this attempt"
            )
        question = by_id[int(key)]
        try:
            answer = QUESTION_TYPES[question.qtype].read(question.config, [str(v) for v in values])
        except ResponseError as exc:
            raise InvalidResponse(
                f"Your answers could not be read: question {numbers[key]}: {exc}"
            ) from None
        if answer:
            responses[key] = answer
    return responses


def save_responses(
    session: Session,
    *,
    attempt_id: int,
    user_id: int,
    responses: Mapping[str, Sequence[str]],
    now: datetime,
    grace: timedelta = DEFAULT_GRACE,
) -> Attempt:
    """Replace the open attempt's saved answers (autosave). Refused once the deadline and its
    grace have passed (AttemptExpired) or once graded (AttemptClosed)."""
    attempt = get_attempt(session, attempt_id, user_id)
    if attempt.state != "open":
        raise AttemptClosed("this attempt is already finished")
    if is_expired(attempt, now, grace):
        raise AttemptExpired("the time for this attempt is up")
    checked = _checked_responses(attempt, _questions_of(session, attempt), responses)
    saved = session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.state == "open")
        .values(responses=checked, saved_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if saved != 1:
        raise AttemptClosed("this attempt is already finished")
    # The row holds exactly these values now: set them rather than read the row back.
    set_committed_value(attempt, "responses", checked)
    set_committed_value(attempt, "saved_at", now)
    return attempt


# Finishing ----------------------------------------------------------------------------------


def _grade(
    session: Session,
    attempt: Attempt,
    responses: Mapping[str, list[str]],
    by_id: Mapping[int, Question] | None = None,
) -> Grade:
    by_id = by_id if by_id is not None else _questions_of(session, attempt)
    quiz = session.get(Quiz, attempt.quiz_id)
    assert quiz is not None
    return grade(
        (
            GradedQuestion(q.qtype, q.points, q.config, responses.get(str(q.id), []))
            for q in (by_id[item["question_id"]] for item in attempt.layout)
        ),
        quiz.pass_percent,
    )


def _close(
    session: Session,
    attempt: Attempt,
    responses: dict[str, list[str]],
    now: datetime,
    reason: str,
    *,
    saved_at: object = ...,
    questions: Mapping[int, Question] | None = None,
) -> bool:
    """The conditional update that makes exactly one finisher win. With ``saved_at`` it also
    requires the saved answers to be the ones graded (no autosave landed in between).
    ``questions`` are the attempt's, when the caller already read them."""
    result = _grade(session, attempt, responses, questions)
    condition = [Attempt.id == attempt.id, Attempt.state == "open"]
    if saved_at is not ...:
        condition.append(
            Attempt.saved_at.is_(None) if saved_at is None else Attempt.saved_at == saved_at
        )
    closed = {
        "state": "graded",
        "finished_at": now,
        "finish_reason": reason,
        "responses": responses,
        "score": result.score,
        "max_score": result.max_score,
        "passed": result.passed,
    }
    won = session.execute(
        update(Attempt)
        .where(*condition)
        .values(**closed)
        .execution_options(synchronize_session=False)
    ).rowcount
    if won == 1:
        # The row holds exactly these values now: set them rather than read the row back.
        for name, value in closed.items():
            set_committed_value(attempt, name, value)
    else:
        session.refresh(attempt)  # another finisher won: read what it wrote
    return won == 1


def _close_with_saved(session: Session, attempt: Attempt) -> bool:
    """Close a timed-out attempt with its saved answers, at its deadline. An autosave that
    was accepted (within the grace) while this ran is graded too, not overwritten: the close
    only wins against the answers it read, and reads again if they changed."""
    assert attempt.deadline is not None
    for _ in range(5):
        saved_at = attempt.saved_at
        if _close(
            session, attempt, _saved(attempt), attempt.deadline, "timed_out", saved_at=saved_at
        ):
            return True
        if attempt.state != "open":  # someone else closed it
            return False
    return False


def finish_attempt(
    session: Session,
    *,
    attempt_id: int,
    user_id: int,
    responses: Mapping[str, Sequence[str]],
    now: datetime,
    grace: timedelta = DEFAULT_GRACE,
) -> FinishResult:
    """Grade and close an open attempt. Safe to call twice or concurrently: only one call wins.

    After the deadline and its grace, the answers sent are refused and the saved ones graded
    (``late``). A second call, or a loser of a race, gets the graded attempt back with
    ``newly_graded`` false. The denominator is the frozen draw, never the answers sent.
    """
    attempt = get_attempt(session, attempt_id, user_id)
    if attempt.state != "open":
        return FinishResult(attempt, newly_graded=False)
    if is_expired(attempt, now, grace):
        assert attempt.deadline is not None
        won = _close_with_saved(session, attempt)
        return FinishResult(attempt, newly_graded=won, late=True)
    questions = _questions_of(session, attempt)
    checked = _checked_responses(attempt, questions, responses)
    won = _close(session, attempt, checked, now, "submitted", questions=questions)
    return FinishResult(attempt, newly_graded=won)


def _saved(attempt: Attempt) -> dict[str, list[str]]:
    return {key: list(values) for key, values in (attempt.responses or {}).items()}


def close_expired(
    session: Session,
    *,
    now: datetime,
    grace: timedelta = DEFAULT_GRACE,
    user_id: int | None = None,
    context: str | None = None,
) -> list[FinishResult]:
    """Close every open attempt past its deadline and grace (optionally one person's, in one
    context), graded with what was saved. Returns what this call closed."""
    query = select(Attempt).where(Attempt.state == "open", Attempt.deadline.is_not(None))
    if user_id is not None:
        query = query.where(Attempt.user_id == user_id)
    if context is not None:
        query = query.where(Attempt.context == context)
    closed = []
    for attempt in session.scalars(query.order_by(Attempt.id)).all():
        if is_expired(attempt, now, grace):
            # Finish at the deadline, not at the sweep: that is when the time ran out.
            assert attempt.deadline is not None
            won = _close_with_saved(session, attempt)
            closed.append(FinishResult(attempt, newly_graded=won, late=True))
    return closed
