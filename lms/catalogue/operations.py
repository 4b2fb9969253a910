"""Reading and writing the course catalogue."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.catalogue.models import Certification, Course, Module, Provider
from lms.db import session
from quizzes import create_quiz

SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,119}")


def published_course(slug: str) -> Course | None:
    if not SLUG_RE.fullmatch(slug):  # also keeps NUL and other oddities away from the database
        return None
    return (
        session()
        .scalars(
            select(Course)
            .where(Course.slug == slug, Course.status == "published")
            .options(
                selectinload(Course.provider),
                selectinload(Course.certifications),
                selectinload(Course.modules),
            )
            .order_by(Course.version.desc())
        )
        .first()
    )


def course_version(slug: str, version: int) -> Course | None:
    if not SLUG_RE.fullmatch(slug):
        return None
    return (
        session()
        .scalars(select(Course).where(Course.slug == slug, Course.version == version))
        .first()
    )


class Approved(Protocol):
    """What the approval checks read of a course version (a ``Course``, or the course page's
    plain row)."""

    approval_number: str | None
    approved_on: date | None
    approval_expires_on: date | None


def approval_lapsed(course: Approved, on: date) -> bool:
    """The certifying body's approval ended before ``on`` (it holds through its expiry date)."""
    return course.approval_expires_on is not None and on > course.approval_expires_on


def credit_refusal(course: Approved, on: date) -> str | None:
    """Why completing this course on ``on`` would earn no credit, or None when it would."""
    if course.approved_on is not None and on < course.approved_on:
        return (
            f"The certifying body's approval of this course starts on "
            f"{course.approved_on:%d %B %Y}; it cannot earn credit before then."
        )
    if approval_lapsed(course, on):
        number = f" (approval {course.approval_number})" if course.approval_number else ""
        return (
            f"The certifying body's approval of this course{number} expired on "
            f"{course.approval_expires_on:%d %B %Y}, so it can no longer earn credit."
        )
    return None


def create_course(
    *,
    slug: str,
    title: str,
    summary: str,
    provider: Provider,
    credits: Decimal,
    certifications: list[Certification],
    modules: list[dict[str, str]],
    quiz: dict[str, Any],
    now: datetime,
    status: str = "published",
    owner_id: int | None = None,
    approval_number: str | None = None,
    approved_on: date | None = None,
    approval_expires_on: date | None = None,
) -> Course:
    """Create a course with its modules and final quiz in one transaction."""
    if approval_number and not (approved_on and approval_expires_on):
        raise ValueError("an approval needs its number, its date and its expiry together")
    db = session()
    final_quiz = create_quiz(
        db,
        title=quiz["title"],
        pass_percent=int(quiz["pass_percent"]),
        questions=quiz["questions"],
        now=now,
        **quiz.get("settings", {}),
    )
    db.flush()
    course = Course(
        slug=slug,
        title=title,
        summary=summary,
        provider=provider,
        credits=Decimal(credits),
        credit_unit=certifications[0].credit_unit if certifications else "CEC",
        status=status,
        final_quiz_id=final_quiz.id,
        owner_id=owner_id,
        approval_number=approval_number,
        approved_on=approved_on,
        approval_expires_on=approval_expires_on,
        published_at=now if status == "published" else None,
        certifications=certifications,
        created_at=now,
        modules=[
            Module(position=i, title=m["title"], body=m["body"])
            for i, m in enumerate(modules, start=1)
        ],
    )
    db.add(course)
    db.commit()
    return course
