"""Studio reports: a course's learners across its versions, its questions' item statistics
(``quizzes.analysis``) and the completion roster as CSV (``lms.studio.roster``).

Every figure is computed from a fixed number of queries, however many learners there are:
the versions, their enrolments, their graded attempts (a few columns), the chosen version's
first attempts with their answers, and its questions.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import abort, make_response, render_template, request
from sqlalchemy import String, cast, func, literal, select
from sqlalchemy.orm import aliased
from werkzeug.wrappers import Response

from lms.accounts.models import User
from lms.catalogue.models import Course, Module
from lms.clock import now
from lms.credits.models import CreditEntry
from lms.db import session
from lms.learning.models import Enrolment, ModuleCompletion
from lms.learning.operations import attempt_context
from lms.rendering import plain_text
from lms.studio.access import owned_course
from lms.studio.blueprint import bp
from lms.studio.roster import roster_csv, roster_filename, roster_rows
from quizzes import QUESTION_TYPES, Attempt, Question
from quizzes.analysis import (
    EASY_ABOVE,
    GROUP_SHARE,
    HARD_BELOW,
    MIN_RESPONSES,
    WEAK_DISCRIMINATION,
    ItemStatistics,
    item_fractions,
    item_statistics,
)

VERSION_RE = re.compile(r"[0-9]{1,9}")
#: How many of the latest completions the page lists; the roster CSV has every one.
RECENT_COMPLETIONS = 25
#: How many of the learners in progress the page lists, newest enrolment first.
IN_PROGRESS_SHOWN = 50


def duration_text(value: timedelta | None) -> str:
    """A length of time in the unit a person would use: minutes, hours, then days."""
    if value is None:
        return "–"
    hours = value.total_seconds() / 3600
    if hours < 1:
        return f"{round(hours * 60)} min"
    if hours < 48:
        return f"{hours:.1f} hours"
    return f"{hours / 24:.1f} days"


def percent_text(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


@dataclass
class Summary:
    """One version's learners (or every version's, for the total row)."""

    label: str
    versions: list[Course]
    enrolments: int = 0
    #: Completions that stand (the roster's rows); a revoked certificate's is not one.
    completions: int = 0
    #: Completions whose certificate was revoked (their credit reversed).
    revoked: int = 0
    #: Learners with at least one graded attempt at the final quiz, or a completion.
    attempted: int = 0
    #: Learners with a passing graded attempt, or a completion: a completion is a pass.
    passed: int = 0
    #: Graded attempts of the learners who attempted.
    graded_attempts: int = 0
    durations: list[timedelta] = field(default_factory=list)

    @property
    def approval_numbers(self) -> str:
        numbers = dict.fromkeys(v.approval_number for v in self.versions if v.approval_number)
        return ", ".join(numbers) or "none recorded"

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.attempted if self.attempted else None

    @property
    def pass_rate_text(self) -> str:
        if not self.attempted:
            return "–"
        return f"{percent_text(self.pass_rate)} ({self.passed} of {self.attempted})"

    @property
    def mean_attempts(self) -> float | None:
        return self.graded_attempts / self.attempted if self.attempted else None

    @property
    def mean_attempts_text(self) -> str:
        value = self.mean_attempts
        return "–" if value is None else f"{value:.1f}"

    @property
    def median_time(self) -> timedelta | None:
        return statistics.median(self.durations) if self.durations else None

    @property
    def mean_time(self) -> timedelta | None:
        return sum(self.durations, timedelta()) / len(self.durations) if self.durations else None

    @property
    def median_text(self) -> str:
        return duration_text(self.median_time)

    @property
    def mean_text(self) -> str:
        return duration_text(self.mean_time)

    def add(self, other: Summary) -> None:
        self.enrolments += other.enrolments
        self.completions += other.completions
        self.revoked += other.revoked
        self.attempted += other.attempted
        self.passed += other.passed
        self.graded_attempts += other.graded_attempts
        self.durations += other.durations


@dataclass(frozen=True)
class QuestionRow:
    question: Question
    type_label: str
    stats: ItemStatistics | None

    @property
    def excerpt(self) -> str:
        prompt = plain_text(self.question.prompt)  # the words, not the Markdown's ** and #
        return prompt if len(prompt) <= 120 else prompt[:117].rstrip() + "…"


@dataclass
class CourseReport:
    versions: list[Course]
    summaries: list[Summary]
    total: Summary
    #: The version whose questions are analysed; None when the course has no quiz at all.
    item_version: Course | None
    questions: list[QuestionRow]
    #: Learners whose first graded attempt the item statistics are based on.
    learners_analysed: int
    #: The latest completions (the roster has them all but the revoked): name, e-mail,
    #: version, when, and whether its certificate was revoked since.
    recent: list[tuple[str, str, int, datetime, bool]]
    #: The latest learners still on their way (newest enrolment first), and how many in all.
    in_progress: list[InProgress] = field(default_factory=list)
    in_progress_total: int = 0


@dataclass(frozen=True)
class InProgress:
    """A learner enrolled who has not completed: how far they got."""

    name: str
    email: str
    version: int
    enrolled_at: datetime
    modules_done: int
    modules_total: int
    #: Finished attempts at the final quiz (none passed, or they would have completed).
    quiz_attempts: int


@dataclass(frozen=True)
class _Graded:
    id: int
    context: str
    user_id: int
    passed: bool | None
    finished_at: datetime | None


def _first_attempts(attempts: list[_Graded]) -> dict[str, int]:
    """Each enrolment's first graded attempt: later ones follow feedback and a retake, which
    would make every question look easier than it is."""
    first: dict[str, _Graded] = {}
    for attempt in attempts:
        held = first.get(attempt.context)
        key = (attempt.finished_at or datetime.max, attempt.id)
        if held is None or key < (held.finished_at or datetime.max, held.id):
            first[attempt.context] = attempt
    return {context: a.id for context, a in first.items()}


class UnknownVersion(LookupError):
    """The version asked for does not exist."""


def build_report(course: Course, wanted_version: int | None) -> CourseReport:
    """The course's report; ``wanted_version`` picks the version whose questions are
    analysed (UnknownVersion if there is none), else the newest with graded attempts."""
    db = session()
    versions = list(
        db.scalars(select(Course).where(Course.slug == course.slug).order_by(Course.version.desc()))
    )
    enrolments = list(
        db.scalars(select(Enrolment).where(Enrolment.course_id.in_([v.id for v in versions])))
    )
    by_context = {attempt_context(e): e for e in enrolments}
    quiz_ids = [v.final_quiz_id for v in versions if v.final_quiz_id]
    graded = [
        _Graded(*row)
        for row in db.execute(
            select(
                Attempt.id, Attempt.context, Attempt.user_id, Attempt.passed, Attempt.finished_at
            ).where(Attempt.quiz_id.in_(quiz_ids), Attempt.state == "graded")
        )
        # Only the course's own learners, in their own enrolment.
        if row.context in by_context and by_context[row.context].user_id == row.user_id
    ]
    per_enrolment: dict[int, list[_Graded]] = {}
    for attempt in graded:
        per_enrolment.setdefault(by_context[attempt.context].id, []).append(attempt)

    revoked = _revoked_completions([v.id for v in versions])
    summaries = {v.id: Summary(f"Version {v.version}", [v]) for v in versions}
    for enrolment in enrolments:
        summary = summaries[enrolment.course_id]
        summary.enrolments += 1
        completed = enrolment.completed_at is not None
        if completed and f"enrolment:{enrolment.id}" in revoked:
            summary.revoked += 1
        elif completed:
            summary.completions += 1
            summary.durations.append(enrolment.completed_at - enrolment.enrolled_at)
        tries = per_enrolment.get(enrolment.id, [])
        # A completion is a pass even without a graded attempt here (one awarded another way,
        # or a quiz since replaced): the pass rate can never fall below the completions.
        if tries or completed:
            summary.attempted += 1
            summary.graded_attempts += len(tries)
            summary.passed += int(completed or any(a.passed for a in tries))
    total = Summary("All versions", versions)
    for summary in summaries.values():
        total.add(summary)

    firsts = _first_attempts(graded)
    version_of_context = {c: e.course_id for c, e in by_context.items()}
    with_attempts = {version_of_context[c] for c in firsts}
    if wanted_version is not None:
        item_version = next((v for v in versions if v.version == wanted_version), None)
        if item_version is None:
            raise UnknownVersion(wanted_version)
    else:
        item_version = next((v for v in versions if v.id in with_attempts), versions[0])

    rows: list[QuestionRow] = []
    analysed = 0
    if item_version.final_quiz_id:
        questions = list(
            db.scalars(
                select(Question)
                .where(Question.quiz_id == item_version.final_quiz_id)
                .order_by(Question.position)
            )
        )
        chosen = {i for c, i in firsts.items() if version_of_context[c] == item_version.id}
        by_id = {q.id: q for q in questions}
        scores = [
            item_fractions(layout or [], responses or {}, by_id)
            for attempt_id, layout, responses in db.execute(
                select(Attempt.id, Attempt.layout, Attempt.responses).where(
                    Attempt.quiz_id == item_version.final_quiz_id, Attempt.state == "graded"
                )
            )
            if attempt_id in chosen
        ]
        analysed = len(scores)
        stats = item_statistics(scores, {q.id: q.points for q in questions})
        rows = [
            QuestionRow(
                question=q,
                type_label=getattr(QUESTION_TYPES.get(q.qtype), "label", q.qtype),
                stats=stats.get(q.id),
            )
            for q in questions
        ]
    recent = [
        (name, email, version, when, f"enrolment:{enrolment_id}" in revoked)
        for enrolment_id, name, email, version, when in db.execute(
            select(
                Enrolment.id,
                User.name,
                User.email,
                Enrolment.course_version,
                Enrolment.completed_at,
            )
            .join(User, User.id == Enrolment.user_id)
            .where(
                Enrolment.course_id.in_([v.id for v in versions]),
                Enrolment.completed_at.is_not(None),
            )
            .order_by(Enrolment.completed_at.desc(), Enrolment.id.desc())
            .limit(RECENT_COMPLETIONS)
        )
    ]
    in_progress = _in_progress(versions, per_enrolment)
    return CourseReport(
        versions=versions,
        summaries=list(summaries.values()),
        total=total,
        item_version=item_version,
        questions=rows,
        learners_analysed=analysed,
        recent=recent,
        in_progress=in_progress,
        in_progress_total=sum(s.enrolments - s.completions - s.revoked for s in summaries.values()),
    )


def _revoked_completions(version_ids: list[int]) -> set[str]:
    """The ledger sources (``enrolment:<id>``) of completions whose credit was taken back (a
    revoked certificate; a reissue keeps it): one statement, each enrolment's entry found by
    its unique source and its reversal by the entry it reverses."""
    award, reversal = aliased(CreditEntry), aliased(CreditEntry)
    source_ref = literal("enrolment:") + cast(Enrolment.id, String)
    return set(
        session().scalars(
            select(award.source_ref)
            .join(Enrolment, (award.source == "online_course") & (award.source_ref == source_ref))
            .join(reversal, reversal.reverses_id == award.id)
            .where(Enrolment.course_id.in_(version_ids), Enrolment.completed_at.is_not(None))
        )
    )


def _in_progress(versions: list[Course], attempts: dict[int, list[_Graded]]) -> list[InProgress]:
    """The latest learners enrolled and not yet complete, with their modules done: two
    statements (the modules per version, and the enrolments with their completions counted)."""
    db = session()
    version_ids = [v.id for v in versions]
    totals = dict(
        db.execute(
            select(Module.course_id, func.count(Module.id))
            .where(Module.course_id.in_(version_ids))
            .group_by(Module.course_id)
        ).all()
    )
    rows = db.execute(
        select(
            Enrolment.id,
            Enrolment.course_id,
            User.name,
            User.email,
            Enrolment.course_version,
            Enrolment.enrolled_at,
            func.count(ModuleCompletion.id),
        )
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(ModuleCompletion, ModuleCompletion.enrolment_id == Enrolment.id)
        .where(Enrolment.course_id.in_(version_ids), Enrolment.completed_at.is_(None))
        .group_by(
            Enrolment.id,
            Enrolment.course_id,
            User.name,
            User.email,
            Enrolment.course_version,
            Enrolment.enrolled_at,
        )
        .order_by(Enrolment.enrolled_at.desc(), Enrolment.id.desc())
        .limit(IN_PROGRESS_SHOWN)
    )
    return [
        InProgress(
            name=name,
            email=email,
            version=version,
            enrolled_at=enrolled_at,
            modules_done=done,
            modules_total=totals.get(course_id, 0),
            quiz_attempts=len(attempts.get(enrolment_id, [])),
        )
        for enrolment_id, course_id, name, email, version, enrolled_at, done in rows
    ]


NO_SUCH_VERSION = "There is no such version of this course: choose one from the list."


@bp.get("/courses/<slug>/report")
@owned_course
def report_course(course: Course) -> str:
    raw = request.args.get("version", "").strip()
    if raw and not VERSION_RE.fullmatch(raw):  # ?version=abc, -1, 1e9, ²...
        abort(400, NO_SUCH_VERSION)
    try:
        report = build_report(course, int(raw) if raw else None)
    except UnknownVersion:
        abort(400, NO_SUCH_VERSION)
    return render_template(
        "lms/studio/report.html",
        course=course,
        report=report,
        recent_limit=RECENT_COMPLETIONS,
        in_progress_limit=IN_PROGRESS_SHOWN,
        thresholds={
            "min_responses": MIN_RESPONSES,
            "hard": HARD_BELOW,
            "easy": EASY_ABOVE,
            "weak": WEAK_DISCRIMINATION,
            "group": GROUP_SHARE,
        },
    )


@bp.get("/courses/<slug>/roster.csv")
@owned_course
def roster_download(course: Course) -> Response:
    response = make_response(roster_csv(roster_rows(course.slug)))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    filename = roster_filename(course.slug, now().date())
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Names and e-mail addresses: not for shared caches or the browser's back button.
    response.headers["Cache-Control"] = "no-store"
    return response
