"""A learner's way through a course: enrol, read modules in order, take the final quiz."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from certificates import Certificate
from lms.catalogue.models import Course, Module
from lms.credits.operations import award_course_completion, certificate_for_enrolment
from lms.db import session
from lms.learning.models import Enrolment, ModuleCompletion
from quizzes import (
    Attempt,
    AttemptError,
    InvalidResponse,
    Quiz,
    finish_attempt,
    open_or_resume_attempt,
    presented_questions,
)
from quizzes.attempts import PresentedQuestion

MAX_ID = 2**31 - 1


class LearningError(ValueError):
    """A step the learner cannot take yet; the message says why."""


@dataclass(frozen=True)
class Progress:
    done: frozenset[int]
    total: int
    #: The first module not yet done, in course order; None when all are done.
    next_module: Module | None

    @property
    def all_done(self) -> bool:
        return self.next_module is None

    @property
    def percent(self) -> int:
        return round(100 * len(self.done) / self.total) if self.total else 100


@dataclass(frozen=True)
class SubmitOutcome:
    attempt: Attempt
    newly_graded: bool
    certificate: Certificate | None


def attempt_context(enrolment: Enrolment) -> str:
    return f"enrolment:{enrolment.id}"


def enrolment_for(user_id: int, course_id: int) -> Enrolment | None:
    return (
        session()
        .scalars(
            select(Enrolment)
            .where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
            .options(selectinload(Enrolment.completions))
        )
        .first()
    )


def enrol(user_id: int, course: Course, now: datetime) -> Enrolment:
    """Enrol once; enrolling again returns the existing enrolment."""
    existing = enrolment_for(user_id, course.id)
    if existing is not None:
        return existing
    db = session()
    db.add(
        Enrolment(
            user_id=user_id, course_id=course.id, course_version=course.version, enrolled_at=now
        )
    )
    try:
        db.commit()
    except IntegrityError:  # a double click raced us; the other request enrolled
        db.rollback()
    enrolment = enrolment_for(user_id, course.id)
    assert enrolment is not None
    return enrolment


def progress_of(enrolment: Enrolment, modules: Sequence[Module]) -> Progress:
    done = frozenset(c.module_id for c in enrolment.completions)
    next_module = next((m for m in modules if m.id not in done), None)
    return Progress(done=done, total=len(modules), next_module=next_module)


def can_open(progress: Progress, module: Module) -> bool:
    """Modules are taken in order: done ones can be re-read, and the next one opened."""
    return module.id in progress.done or (
        progress.next_module is not None and module.id == progress.next_module.id
    )


def complete_module(
    enrolment: Enrolment, module: Module, modules: Sequence[Module], now: datetime
) -> Progress:
    """Mark a module done (idempotent); refuses skipping ahead. The completions are the
    bookmark: the learner resumes at the first module not yet done."""
    progress = progress_of(enrolment, modules)
    if not can_open(progress, module):
        raise LearningError("Finish the earlier modules first.")
    if module.id not in progress.done:
        db = session()
        db.add(ModuleCompletion(enrolment_id=enrolment.id, module_id=module.id, completed_at=now))
        try:
            db.commit()
        except IntegrityError:  # already recorded by a concurrent request
            db.rollback()
        db.refresh(enrolment)
    return progress_of(enrolment, modules)


def start_final_quiz(enrolment: Enrolment, modules: Sequence[Module], now: datetime) -> Attempt:
    course = enrolment.course
    if course.final_quiz_id is None:
        raise LearningError("This course has no final quiz yet.")
    if enrolment.completed_at is not None:
        raise LearningError("You have already completed this course.")
    if not progress_of(enrolment, modules).all_done:
        raise LearningError("Finish every module before the final quiz.")
    try:
        attempt = open_or_resume_attempt(
            session(),
            quiz_id=course.final_quiz_id,
            user_id=enrolment.user_id,
            context=attempt_context(enrolment),
            now=now,
        )
    except AttemptError as exc:
        raise LearningError(str(exc)) from exc
    session().commit()
    return attempt


def attempts_of(enrolment: Enrolment) -> list[Attempt]:
    return list(
        session().scalars(
            select(Attempt)
            .where(
                Attempt.user_id == enrolment.user_id,
                Attempt.context == attempt_context(enrolment),
            )
            .order_by(Attempt.id)
        )
    )


def attempt_in(enrolment: Enrolment, attempt_id: int) -> Attempt | None:
    """The attempt, only if it belongs to this enrolment (and so to its learner)."""
    if not 0 < attempt_id <= MAX_ID:  # beyond a 32-bit key the database would overflow
        return None
    attempt = session().get(Attempt, attempt_id)
    if attempt is None or attempt.context != attempt_context(enrolment):
        return None
    if attempt.user_id != enrolment.user_id:
        return None
    return attempt


def submit_final_quiz(
    enrolment: Enrolment,
    attempt_id: int,
    responses: Mapping[str, Sequence[str]],
    now: datetime,
) -> SubmitOutcome:
    """Grade the attempt, and on a pass award the course's credit and certificate.

    One transaction. The attempt's conditional update makes only one submission the grader;
    the enrolment's conditional update makes only one pass the award.
    """
    if attempt_in(enrolment, attempt_id) is None:
        raise AttemptError("no such attempt")
    if not responses:  # an empty form is a slip of the finger, not an attempt to grade
        raise InvalidResponse("No answers were sent, so nothing was graded")
    db = session()
    try:
        result = finish_attempt(
            db, attempt_id=attempt_id, user_id=enrolment.user_id, responses=responses, now=now
        )
        certificate = None
        if result.attempt.passed:
            if result.newly_graded:
                certificate = award_course_completion(enrolment, now)
            else:
                certificate = certificate_for_enrolment(enrolment)
        db.commit()
    except Exception:
        db.rollback()
        raise
    return SubmitOutcome(result.attempt, result.newly_graded, certificate)


def final_quiz_of(course: Course) -> Quiz | None:
    return session().get(Quiz, course.final_quiz_id) if course.final_quiz_id else None


def questions_of(attempt: Attempt) -> list[PresentedQuestion]:
    return presented_questions(session(), attempt)
