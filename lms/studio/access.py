"""Who may open the studio, and which courses: every studio route goes through here."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort
from sqlalchemy import select

from lms.auth import current_learner, login_required
from lms.catalogue.models import Course
from lms.catalogue.operations import SLUG_RE, course_version
from lms.db import session


def studio_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Sign-in, then trainers and admins only (403 for learners)."""

    @functools.wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_learner.has_role("trainer", "admin"):
            abort(403, "The studio is for trainers and administrators.")
        return view(*args, **kwargs)

    return wrapped


def visible_courses() -> list[Course]:
    """Every version of every course the signed-in trainer owns (admins: all), grouped by
    course (its slug), newest version first."""
    query = select(Course).order_by(Course.slug, Course.version.desc())
    if not current_learner.has_role("admin"):
        query = query.where(Course.owner_id == current_learner.id)
    return list(session().scalars(query))


def _mine(course: Course | None) -> Course:
    if course is None or not (
        current_learner.has_role("admin") or course.owner_id == current_learner.id
    ):
        abort(404, "There is no course of yours at this address.")
    return course


def owned_course(view: Callable[..., Any]) -> Callable[..., Any]:
    """The course from ``slug`` (its newest version) as the view's ``course``, if the
    signed-in trainer owns it
    (admins: any). Another trainer's course is a 404, the same as a missing one, so the
    studio does not tell which courses exist."""

    @functools.wraps(view)
    @studio_required
    def wrapped(slug: str, **kwargs: Any) -> Any:
        course = None
        if SLUG_RE.fullmatch(slug):
            course = (
                session()
                .scalars(select(Course).where(Course.slug == slug).order_by(Course.version.desc()))
                .first()
            )
        return view(course=_mine(course), **kwargs)

    return wrapped


def owned_version(view: Callable[..., Any]) -> Callable[..., Any]:
    """Like ``owned_course``, for routes on one version: ``/courses/<slug>/v<version>/...``."""

    @functools.wraps(view)
    @studio_required
    def wrapped(slug: str, version: int, **kwargs: Any) -> Any:
        course = course_version(slug, version) if 0 < version < 2**31 else None
        return view(course=_mine(course), **kwargs)

    return wrapped
