"""A course's credit estimate under each regime of its certifications, beside the credits it
claims: the editor shows it, a submission over it needs the trainer's reason, and the admin's
approval page shows both."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from lms.catalogue.models import Course, Module
from lms.db import session
from lms.studio import estimator
from quizzes import Question, Quiz


@dataclass(frozen=True)
class RegimeEstimate:
    minutes_per_credit: int
    step: Decimal
    unit: str
    certifications: str
    credits: Decimal
    over_claimed: bool


def course_estimates(
    course: Course, modules: list[Module], quiz: Quiz | None
) -> tuple[estimator.CourseContent, list[RegimeEstimate]]:
    """The content's totals, and the estimate under each distinct regime of the course's
    certifications (two certifications with the same rule share one line)."""
    questions: list[tuple[str | None, list[str]]] = []
    if quiz is not None:
        questions = [
            (pool, list(tags or []))
            for pool, tags in session().execute(
                select(Question.pool, Question.tags).where(Question.quiz_id == quiz.id)
            )
        ]
    content = estimator.course_content(
        (m.body for m in modules),
        (m.media_minutes for m in modules),
        estimator.questions_drawn(questions, quiz.draw_rules if quiz else []),
    )
    regimes: dict[tuple[int, Decimal, str], list[str]] = {}
    for certification in course.certifications:
        key = (
            certification.minutes_per_credit,
            Decimal(certification.credit_step),
            certification.credit_unit,
        )
        regimes.setdefault(key, []).append(certification.code)
    estimates = []
    for (minutes, step, unit), codes in sorted(regimes.items()):
        credits = content.estimate(minutes, step)
        estimates.append(
            RegimeEstimate(
                minutes_per_credit=minutes,
                step=step,
                unit=unit,
                certifications=", ".join(codes),
                credits=credits,
                over_claimed=Decimal(course.credits) > credits,
            )
        )
    return content, estimates


def over_estimate(course: Course) -> list[RegimeEstimate]:
    """The regimes under which the course claims more credit than its content supports."""
    quiz = session().get(Quiz, course.final_quiz_id) if course.final_quiz_id else None
    _, estimates = course_estimates(course, list(course.modules), quiz)
    return [e for e in estimates if e.over_claimed]
