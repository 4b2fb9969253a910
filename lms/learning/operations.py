"""A learner's way through a course: enrol, read modules in order, take the final quiz."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager, selectinload

from certificates import Certificate
from lms.awards.issuer import prepare_signing
from lms.catalogue.models import Course, Module
from lms.catalogue.operations import credit_refusal
from lms.credits.models import CreditEntry
from lms.credits.operations import award_course_completion, certificate_for_enrolment
from lms.db import session
from lms.learning.models import Enrolment, ModuleCompletion
from lms.next_step import soonest_unmet
from lms.requirements.operations import SuggestedCourse, courses_that_count, standing_of
from quizzes import (
    Attempt,
    AttemptError,
    AttemptExpired,
    AttemptRefused,
    FinishResult,
    InvalidResponse,
    PresentedQuestion,
    Quiz,
    ReviewedQuestion,
    StartCheck,
    attempts_in,
    close_expired,
    finish_attempt,
    is_expired,
    presented_questions,
    quiz_result,
    review_attempt,
    review_level,
    save_responses,
    seconds_left,
    start_attempt,
    start_check,
)

MAX_ID = 2**31 - 1
CONTEXT_PREFIX = "enrolment:"


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
    #: The deadline had passed: the answers sent were refused and the saved ones graded.
    late: bool = False


@dataclass(frozen=True)
class QuizStatus:
    """Everything the quiz page shows, computed once."""

    quiz: Quiz | None
    attempts: list[Attempt]
    open_attempt: Attempt | None
    check: StartCheck | None
    #: The graded attempt that stands for the quiz (by its grading method).
    result: Attempt | None

    @property
    def finished(self) -> list[Attempt]:
        return [a for a in self.attempts if a.state == "graded"]


def attempt_context(enrolment: Enrolment) -> str:
    return f"{CONTEXT_PREFIX}{enrolment.id}"


def grace() -> timedelta:
    return timedelta(seconds=current_app.config["LMS_QUIZ_GRACE_SECONDS"])


def enrolment_for(user_id: int, course_id: int) -> Enrolment | None:
    return (
        session()
        .scalars(
            select(Enrolment)
            .where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
            .options(selectinload(Enrolment.completions))
            .order_by(Enrolment.number.desc())  # a retake's enrolment is the current one
        )
        .first()
    )


#: Built once: every step of a course in progress (module, quiz, autosave, submit) runs it.
#: The course comes from the join the query makes anyway, not from a second statement; the
#: completions only when a step reads the progress (autosave and submit do not).
_ENROLMENT_IN = (
    select(Enrolment)
    .join(Course, Course.id == Enrolment.course_id)
    .where(Enrolment.user_id == bindparam("user_id"), Course.slug == bindparam("slug"))
    .options(contains_eager(Enrolment.course))
    .order_by(Enrolment.id.desc())
    .limit(1)
)


def enrolment_in(user_id: int, slug: str) -> Enrolment | None:
    """The learner's enrolment in any version of the course (they keep the one they began),
    with that version."""
    return session().scalars(_ENROLMENT_IN, {"user_id": user_id, "slug": slug}).first()


def can_move_to(enrolment: Enrolment, course: Course, now: datetime) -> bool:
    """A learner pinned to a version whose approval lapsed before they finished may start
    again on the published version, when that one's approval holds."""
    today = now.date()
    return (
        enrolment.completed_at is None
        and course.id != enrolment.course_id
        and course.status == "published"
        and credit_refusal(enrolment.course, today) is not None
        and credit_refusal(course, today) is None
    )


def may_retake(enrolment: Enrolment) -> bool:
    """The certificate this enrolment earned was revoked with a retake: the learner may
    enrol again, and the new enrolment can earn the credit once more."""
    return enrolment.completed_at is not None and enrolment.retake_allowed_at is not None


def enrol(user_id: int, course: Course, now: datetime) -> Enrolment:
    """Enrol once per course (any version); enrolling again returns the existing enrolment,
    except to move from a lapsed version to the published one (``can_move_to``) or to retake
    a course whose certificate was revoked with a retake (``may_retake``). Refused, with the
    reason, when the course could no longer earn credit."""
    existing = enrolment_in(user_id, course.slug)
    retaking = existing is not None and may_retake(existing)
    if existing is not None and not retaking and not can_move_to(existing, course, now):
        return existing
    if course.status != "published":
        raise LearningError("This course is no longer open for enrolment.")
    refusal = credit_refusal(course, now.date())
    if refusal:
        raise LearningError(refusal)
    db = session()
    db.add(
        Enrolment(
            user_id=user_id,
            course_id=course.id,
            course_version=course.version,
            enrolled_at=now,
            # Numbered after the last enrolment in any version: two racing retakes collide.
            number=existing.number + 1 if existing is not None else 1,
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
    """Start the final quiz, or resume the open attempt; refused with the reason when the
    course or the quiz's rules (attempts, cooldown, a pass already) do not allow it."""
    course = enrolment.course
    if course.final_quiz_id is None:
        raise LearningError("This course has no final quiz yet.")
    if enrolment.completed_at is not None:
        raise LearningError("You have already completed this course.")
    if not progress_of(enrolment, modules).all_done:
        raise LearningError("Finish every module before the final quiz.")
    refusal = credit_refusal(course, now.date())
    if refusal:
        raise LearningError(refusal)
    prepare_signing()  # before the unit of work: creating the first key commits
    db = session()
    for tries_left in (1, 0):
        try:
            started = start_attempt(
                db,
                quiz_id=course.final_quiz_id,
                user_id=enrolment.user_id,
                context=attempt_context(enrolment),
                now=now,
                grace=grace(),
            )
            _settle(started.closed)
            db.commit()
            return started.attempt
        except (AttemptRefused, AttemptError) as exc:
            db.rollback()
            raise LearningError(str(exc)[:1].upper() + str(exc)[1:]) from exc
        except IntegrityError:
            # A second tab started at the same moment; its attempt is the one to resume.
            db.rollback()
            if not tries_left:
                raise
    raise AssertionError("unreachable")


def _settle(results: Iterable[FinishResult]) -> list[Certificate]:
    """Award the course for each newly graded, passed attempt (e.g. one closed at its
    deadline), dated when the attempt finished. Inside the caller's transaction."""
    certificates = []
    for result in results:
        attempt = result.attempt
        if not (result.newly_graded and attempt.passed):
            continue
        if not attempt.context.startswith(CONTEXT_PREFIX):
            continue
        enrolment = session().get(Enrolment, int(attempt.context.removeprefix(CONTEXT_PREFIX)))
        if enrolment is None or enrolment.user_id != attempt.user_id:
            continue
        certificate = award_course_completion(enrolment, attempt.finished_at)
        if certificate is not None:
            certificates.append(certificate)
    return certificates


def settle_expired(now: datetime, enrolment: Enrolment | None = None) -> int:
    """Close (and grade with their saved answers) open attempts past their deadline: one
    enrolment's, or everyone's (``lms quizzes close-expired``). Returns how many closed."""
    prepare_signing()  # before the unit of work: creating or registering a key commits
    db = session()
    try:
        closed = close_expired(
            db,
            now=now,
            grace=grace(),
            user_id=enrolment.user_id if enrolment else None,
            context=attempt_context(enrolment) if enrolment else None,
        )
        _settle(closed)
        db.commit()
    except Exception:
        db.rollback()
        raise
    return sum(1 for c in closed if c.newly_graded)


def quiz_status(enrolment: Enrolment, now: datetime) -> QuizStatus:
    """The learner's standing at the course's final quiz, after closing an expired attempt."""
    attempts = attempts_of(enrolment)
    if any(is_expired(a, now, grace()) for a in attempts):  # rare: only then a write
        settle_expired(now, enrolment)
        attempts = attempts_of(enrolment)
    quiz = final_quiz_of(enrolment.course)
    if quiz is None:
        return QuizStatus(None, attempts, None, None, None)
    return QuizStatus(
        quiz=quiz,
        attempts=attempts,
        open_attempt=next((a for a in attempts if a.state == "open"), None),
        check=start_check(quiz, attempts, now),
        result=quiz_result(attempts, quiz.grading_method),
    )


def attempts_of(enrolment: Enrolment) -> list[Attempt]:
    return attempts_in(session(), user_id=enrolment.user_id, context=attempt_context(enrolment))


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


@dataclass(frozen=True)
class SavedAnswers:
    """What autosave answers: when the answers were saved, and the time left."""

    saved_at: datetime
    seconds_left: int | None


def save_answers(
    enrolment: Enrolment, attempt_id: int, responses: Mapping[str, Sequence[str]], now: datetime
) -> SavedAnswers:
    """Autosave: replace the open attempt's saved answers. After the deadline (and grace) the
    answers are refused and the attempt is closed with what was saved before."""
    # Held, so the engine finds it in the session instead of reading it again.
    found = attempt_in(enrolment, attempt_id)
    if found is None:
        raise AttemptError("no such attempt")
    db = session()
    try:
        attempt = save_responses(
            db,
            attempt_id=attempt_id,
            user_id=enrolment.user_id,
            responses=responses,
            now=now,
            grace=grace(),
        )
        # Read before the commit expires the attempt (reading it after would begin a second
        # write transaction on SQLite, a POST's transactions being IMMEDIATE).
        saved = SavedAnswers(attempt.saved_at, seconds_left(attempt, now))
        db.commit()
    except AttemptExpired:
        db.rollback()
        settle_expired(now, enrolment)
        raise
    except Exception:
        db.rollback()
        raise
    return saved


def submit_final_quiz(
    enrolment: Enrolment,
    attempt_id: int,
    responses: Mapping[str, Sequence[str]],
    now: datetime,
) -> SubmitOutcome:
    """Grade the attempt, and on a pass award the course's credit and certificate.

    One transaction. The attempt's conditional update makes only one submission the grader;
    the enrolment's conditional update makes only one pass the award. After the deadline the
    answers sent are refused and the attempt is graded with its saved answers.
    """
    attempt = attempt_in(enrolment, attempt_id)
    if attempt is None:
        raise AttemptError("no such attempt")
    # An empty form is a slip of the finger, not an attempt to grade; but once the time is up
    # (the page submits itself at zero) it is graded as it stands.
    time_up = attempt.deadline is not None and now >= attempt.deadline
    if not responses and attempt.state == "open" and not time_up:
        raise InvalidResponse("No answers were sent, so nothing was graded")
    if not responses:
        responses = dict(attempt.responses or {})  # what autosave kept is what counts
    prepare_signing()
    db = session()
    try:
        result = finish_attempt(
            db,
            attempt_id=attempt_id,
            user_id=enrolment.user_id,
            responses=responses,
            now=now,
            grace=grace(),
        )
        certificate = None
        if result.attempt.passed:
            certificate = (_settle([result]) or [None])[0] if result.newly_graded else None
            certificate = certificate or certificate_for_enrolment(enrolment)
        db.commit()
    except Exception:
        db.rollback()
        raise
    return SubmitOutcome(result.attempt, result.newly_graded, certificate, result.late)


def review_of(
    enrolment: Enrolment, attempt: Attempt, quiz: Quiz
) -> tuple[str, list[ReviewedQuestion]]:
    """The review level the quiz's policy allows now, and the reviewed questions."""
    level = review_level(quiz, attempts_of(enrolment))
    return level, review_attempt(session(), attempt, level)


def credit_taken_back(enrolment: Enrolment) -> bool:
    """The credit this enrolment earned was reversed (its certificate revoked; a reissue keeps
    it): one statement, by the entry's unique source and its reversal's unique link."""
    if enrolment.completed_at is None:
        return False
    award, reversal = aliased(CreditEntry), aliased(CreditEntry)
    found = session().scalar(
        select(reversal.id)
        .join(award, reversal.reverses_id == award.id)
        .where(award.source == "online_course", award.source_ref == f"enrolment:{enrolment.id}")
        .limit(1)
    )
    return found is not None


def outcome_counts(
    enrolment: Enrolment, attempt: Attempt, quiz: Quiz, level: str
) -> dict[str, int]:
    """How many questions a graded attempt got right, partly right, wrong or left unanswered,
    when the quiz's policy withholds its review for now (until a pass, or the last attempt).
    Counts only: naming which questions were wrong would let a learner pass by changing just
    those answers attempt after attempt. Nothing while another attempt is open or when the
    trainer chose to show the score alone."""
    if level != "score" or quiz.review_shows == "score" or attempt.state != "graded":
        return {}
    if any(a.state == "open" for a in attempts_of(enrolment)):
        return {}
    counts = Counter(r.status for r in review_attempt(session(), attempt, "wrong"))
    return {status: counts[status] for status in OUTCOME_ORDER if counts[status]}


#: The order a result page lists its counts in.
OUTCOME_ORDER = ("correct", "partial", "wrong", "unanswered")


def next_course_that_counts(user_id: int, today: date) -> SuggestedCourse | None:
    """The course to take next: one that counts toward the learner's requirement due
    soonest and is not met yet (None when all are met or none counts)."""
    due = soonest_unmet(standing_of(user_id, today))
    if due is None:
        return None
    return next(iter(courses_that_count(user_id, [due], today).get(due.key, [])), None)


def final_quiz_of(course: Course) -> Quiz | None:
    return session().get(Quiz, course.final_quiz_id) if course.final_quiz_id else None


def questions_of(attempt: Attempt) -> list[PresentedQuestion]:
    return presented_questions(session(), attempt)
