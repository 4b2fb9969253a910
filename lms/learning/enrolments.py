"""A learner's courses with their progress, a page at a time, for the dashboard; and the course
they are in the middle of (the dashboard's Continue), read in the same statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, bindparam, cast, func, literal, select

from certificates import Certificate
from lms.catalogue.models import Course, Module
from lms.db import session
from lms.learning.models import Enrolment, ModuleCompletion


@dataclass(frozen=True)
class CourseProgress:
    slug: str
    title: str
    completed_at: datetime | None
    modules_done: int
    modules: int
    #: The certificate this enrolment earned (None while in progress).
    certificate_public_id: str | None = None
    certificate_revoked: bool = False

    @property
    def percent(self) -> int:
        # A completed course is complete, whatever its module count says (a learner who
        # passed before a module was added, or a course with its modules read elsewhere).
        if self.completed_at is not None:
            return 100
        return round(100 * self.modules_done / self.modules) if self.modules else 0


_enrolment = Enrolment.__table__
_course = Course.__table__
_module = Module.__table__
_completion = ModuleCompletion.__table__
_certificate = Certificate.__table__


def _counts(enrolment_id: Any, course_id: Any) -> tuple[Any, Any]:
    return (
        select(func.count(_completion.c.id))
        .where(_completion.c.enrolment_id == enrolment_id)
        .scalar_subquery(),
        select(func.count(_module.c.id)).where(_module.c.course_id == course_id).scalar_subquery(),
    )


def _my_courses_statement() -> Select[Any]:
    in_progress_first = (
        _enrolment.c.completed_at.is_not(None),
        _enrolment.c.enrolled_at.desc(),
        _enrolment.c.id.desc(),
    )
    whole_list = {"order_by": in_progress_first}
    # The page's enrolments first (and how many there are), then the counts for those rows
    # only: counting modules for every enrolment before paging cost more than the page.
    # Each row also carries the list's first enrolment (window functions see the whole list
    # before it is paged): the course in progress the dashboard's Continue goes to.
    page = (
        select(
            _enrolment.c.id,
            _enrolment.c.course_id,
            _enrolment.c.completed_at,
            func.row_number().over(order_by=in_progress_first).label("place"),
            func.count().over().label("total"),
            func.first_value(_enrolment.c.id).over(**whole_list).label("first_id"),
            func.first_value(_enrolment.c.course_id).over(**whole_list).label("first_course"),
            func.first_value(_enrolment.c.completed_at).over(**whole_list).label("first_done"),
        )
        .where(_enrolment.c.user_id == bindparam("user_id"))
        .order_by(*in_progress_first)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
        .subquery()
    )
    first = _course.alias("first_course")
    award_key = literal("course-enrolment:") + cast(page.c.id, String)
    return (
        select(
            _course.c.slug,
            _course.c.title,
            page.c.completed_at,
            *_counts(page.c.id, page.c.course_id),
            _certificate.c.public_id,
            _certificate.c.revoked_at.is_not(None),
            page.c.total,
            page.c.first_done.is_(None).label("first_in_progress"),
            first.c.slug.label("first_slug"),
            first.c.title.label("first_title"),
            *_counts(page.c.first_id, page.c.first_course),
        )
        .join(_course, _course.c.id == page.c.course_id)
        .join(first, first.c.id == page.c.first_course)
        .outerjoin(_certificate, _certificate.c.award_key == award_key)
        .order_by(page.c.place)
    )


#: Built once (building a statement costs more than running it); plain tables, no ORM.
_MY_COURSES = _my_courses_statement()


@dataclass(frozen=True)
class MyCourses:
    #: This page of the learner's courses, in progress first.
    courses: list[CourseProgress]
    #: How many courses the learner has in all.
    total: int
    #: The course in progress they enrolled in last (None when nothing is in progress).
    in_progress: CourseProgress | None


def my_courses(user_id: int, *, offset: int, limit: int) -> MyCourses:
    """The learner's enrolments, courses in progress first (the latest enrolled first), then
    the completed ones with their certificates; ``limit`` of them from ``offset``, how many
    there are in all, and the latest course in progress. One statement: the counts and the
    certificate are subqueries and lookups over the rows read, by their indexes."""
    rows = (
        session().execute(_MY_COURSES, {"user_id": user_id, "offset": offset, "limit": limit}).all()
    )
    if not rows:
        return MyCourses([], 0, None)
    first = rows[0]
    in_progress = (
        CourseProgress(first.first_slug, first.first_title, None, *first[-2:])
        if first.first_in_progress
        else None
    )
    return MyCourses([CourseProgress(*row[:7]) for row in rows], first.total, in_progress)
