"""A learner's courses with their progress, a page at a time, for the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, select

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

    @property
    def percent(self) -> int:
        return round(100 * self.modules_done / self.modules) if self.modules else 100


_enrolment = Enrolment.__table__
_course = Course.__table__
_module = Module.__table__
_completion = ModuleCompletion.__table__


def _my_courses_statement() -> Select[Any]:
    in_progress_first = (
        _enrolment.c.completed_at.is_not(None),
        _enrolment.c.enrolled_at.desc(),
        _enrolment.c.id.desc(),
    )
    # The page's enrolments first (and how many there are), then the counts for those rows
    # only: counting modules for every enrolment before paging cost more than the page.
    page = (
        select(
            _enrolment.c.id,
            _enrolment.c.course_id,
            _enrolment.c.completed_at,
            func.row_number().over(order_by=in_progress_first).label("place"),
            func.count().over().label("total"),
        )
        .where(_enrolment.c.user_id == bindparam("user_id"))
        .order_by(*in_progress_first)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
        .subquery()
    )
    return (
        select(
            _course.c.slug,
            _course.c.title,
            page.c.completed_at,
            select(func.count(_completion.c.id))
            .where(_completion.c.enrolment_id == page.c.id)
            .scalar_subquery(),
            select(func.count(_module.c.id))
            .where(_module.c.course_id == page.c.course_id)
            .scalar_subquery(),
            page.c.total,
        )
        .join(_course, _course.c.id == page.c.course_id)
        .order_by(page.c.place)
    )


#: Built once (building a statement costs more than running it); plain tables, no ORM.
_MY_COURSES = _my_courses_statement()


def my_courses(user_id: int, *, offset: int, limit: int) -> tuple[list[CourseProgress], int]:
    """The learner's enrolments, courses in progress first (the latest enrolled first), then
    the completed ones; ``limit`` of them from ``offset``, and how many there are in all.
    One statement: the counts are subqueries over the rows read, by their indexes."""
    rows = (
        session().execute(_MY_COURSES, {"user_id": user_id, "offset": offset, "limit": limit}).all()
    )
    total = rows[0][-1] if rows else 0
    return [CourseProgress(*row[:-1]) for row in rows], total
