"""The catalogue a page at a time: the published courses by title, each with its provider
and the certifications it counts toward.

Three statements whatever the size of the catalogue: the count (from the index on status and
title alone), the page's courses (read in index order, so only the rows shown), and their
certifications. Plain rows, not ORM objects: the catalogue is the site's front page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import bindparam, func, select

from lms.catalogue.models import Certification, Course, Provider, course_certification
from lms.db import session


@dataclass(frozen=True)
class CatalogueCertification:
    """A certification a course counts toward, as the catalogue and the course page show it."""

    code: str
    name: str


@dataclass(frozen=True)
class CatalogueCourse:
    id: int
    slug: str
    title: str
    summary: str
    credits: Decimal
    credit_unit: str
    approval_expires_on: date | None
    provider_name: str
    certifications: tuple[CatalogueCertification, ...] = ()


_course = Course.__table__
_provider = Provider.__table__
_certification = Certification.__table__
# Built once (building a statement costs more than running it on a page this busy).
_COUNT = select(func.count()).select_from(_course).where(_course.c.status == "published")
_PAGE = (
    select(
        _course.c.id,
        _course.c.slug,
        _course.c.title,
        _course.c.summary,
        _course.c.credits,
        _course.c.credit_unit,
        _course.c.approval_expires_on,
        _provider.c.name,
    )
    .join(_provider, _provider.c.id == _course.c.provider_id)
    .where(_course.c.status == "published")
    .order_by(_course.c.title, _course.c.id)
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
)
_CERTIFICATIONS = (
    select(course_certification.c.course_id, _certification.c.code, _certification.c.name)
    .join(_certification, _certification.c.id == course_certification.c.certification_id)
    .where(course_certification.c.course_id.in_(bindparam("course_ids", expanding=True)))
    .order_by(_certification.c.code)
)


def catalogue_page(*, offset: int, limit: int) -> tuple[list[CatalogueCourse], int]:
    """``limit`` published courses from ``offset``, by title, and how many are published."""
    db = session()
    total = db.execute(_COUNT).scalar_one()
    rows = db.execute(_PAGE, {"offset": offset, "limit": limit}).all()
    # Runs even for an empty page, so the page's statement count never varies.
    certifications: dict[int, list[CatalogueCertification]] = {}
    for course_id, code, name in db.execute(
        _CERTIFICATIONS, {"course_ids": [row.id for row in rows]}
    ):
        certifications.setdefault(course_id, []).append(CatalogueCertification(code, name))
    return [
        CatalogueCourse(*row, certifications=tuple(certifications.get(row.id, ()))) for row in rows
    ], total
