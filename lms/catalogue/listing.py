"""The catalogue a page at a time: the published courses by title, each with its provider,
the certifications it counts toward, its picture and the visitor's progress; narrowed by a
search of titles and summaries, by the visitor's certifications and by a credits range.

Three statements whatever the size of the catalogue: the count and the page's courses (both
from the index on status and title: a search reads the published courses' index entries and
their rows, never the drafts and old versions that make up most of the table; the visitor's
enrolment, completions and the module count are looked up per row shown, by their indexes),
then the page's certifications. Plain rows, not ORM objects: the catalogue is the site's
front page.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, bindparam, exists, func, or_, select

from lms.catalogue.cards import card_colour, initials
from lms.catalogue.models import (
    Certification,
    Course,
    Holding,
    Media,
    Module,
    Provider,
    course_certification,
)
from lms.db import session
from lms.learning.models import Enrolment, ModuleCompletion


@dataclass(frozen=True)
class CatalogueCertification:
    """A certification a course counts toward, as the catalogue and the course page show it."""

    code: str
    name: str


@dataclass(frozen=True)
class CatalogueFilters:
    """What the visitor narrowed the catalogue to; the defaults show every published course."""

    #: Words looked for in titles and summaries (already trimmed; "" for none).
    search: str = ""
    #: Only courses that count toward a certification the visitor holds.
    my_certifications: bool = False
    min_credits: Decimal | None = None
    max_credits: Decimal | None = None

    @property
    def active(self) -> bool:
        return self != CatalogueFilters()


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
    duration_minutes: int | None = None
    image_id: int | None = None
    image_filename: str | None = None
    #: The visitor's enrolment in this version (None when signed out or not enrolled).
    enrolment_id: int | None = None
    completed_at: datetime | None = None
    #: Set when the certificate of that completion was revoked with a retake.
    retake_allowed_at: datetime | None = None
    modules_done: int = 0
    modules: int = 0
    certifications: tuple[CatalogueCertification, ...] = ()

    @property
    def initials(self) -> str:
        return initials(self.title)

    @property
    def colour(self) -> str:
        return card_colour(self.id)

    @property
    def percent(self) -> int:
        if self.completed_at is not None or not self.modules:
            return 100 if self.completed_at is not None else 0
        return round(100 * self.modules_done / self.modules)


_course = Course.__table__
_provider = Provider.__table__
_certification = Certification.__table__
_media = Media.__table__
_enrolment = Enrolment.__table__
_completion = ModuleCompletion.__table__
_module = Module.__table__
_holding = Holding.__table__

#: The longest search kept (longer input is cut, never an error: it is a search box).
MAX_SEARCH_CHARS = 100


def like_pattern(words: str) -> str:
    """``%words%`` with LIKE's wildcards in the words taken literally (escape ``\\``)."""
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(search: bool, mine: bool, low: bool, high: bool) -> list[Any]:
    where: list[Any] = [_course.c.status == "published"]
    if search:
        pattern = bindparam("pattern")
        where.append(
            or_(
                _course.c.title.ilike(pattern, escape="\\"),
                _course.c.summary.ilike(pattern, escape="\\"),
            )
        )
    if mine:
        held = _holding.c.certification_id == course_certification.c.certification_id
        where.append(
            exists()
            .where(
                course_certification.c.course_id == _course.c.id,
                _holding.c.user_id == bindparam("user_id"),
            )
            .where(held)
        )
    if low:
        where.append(_course.c.credits >= bindparam("min_credits"))
    if high:
        where.append(_course.c.credits <= bindparam("max_credits"))
    return where


# Built once per combination of filters (building a statement costs more than running it on
# a page this busy); there are sixteen at most.
@functools.cache
def _statements(search: bool, mine: bool, low: bool, high: bool) -> tuple[Select[Any], ...]:
    where = and_(*_conditions(search, mine, low, high))
    count = select(func.count()).select_from(_course).where(where)
    enrolment = _enrolment.alias("mine")
    # The visitor's latest enrolment in this version (a retake is a new one).
    latest = (
        select(func.max(_enrolment.c.id))
        .where(
            _enrolment.c.user_id == bindparam("visitor_id"),
            _enrolment.c.course_id == _course.c.id,
        )
        .scalar_subquery()
    )
    page = (
        select(
            _course.c.id,
            _course.c.slug,
            _course.c.title,
            _course.c.summary,
            _course.c.credits,
            _course.c.credit_unit,
            _course.c.approval_expires_on,
            _provider.c.name,
            _course.c.duration_minutes,
            _media.c.id,
            _media.c.filename,
            enrolment.c.id,
            enrolment.c.completed_at,
            enrolment.c.retake_allowed_at,
            select(func.count(_completion.c.id))
            .where(_completion.c.enrolment_id == enrolment.c.id)
            .scalar_subquery(),
            select(func.count(_module.c.id))
            .where(_module.c.course_id == _course.c.id)
            .scalar_subquery(),
        )
        .join(_provider, _provider.c.id == _course.c.provider_id)
        .outerjoin(_media, _media.c.id == _course.c.image_media_id)
        .outerjoin(enrolment, enrolment.c.id == latest)
        .where(where)
        .order_by(_course.c.title, _course.c.id)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )
    return count, page


_CERTIFICATIONS = (
    select(course_certification.c.course_id, _certification.c.code, _certification.c.name)
    .join(_certification, _certification.c.id == course_certification.c.certification_id)
    .where(course_certification.c.course_id.in_(bindparam("course_ids", expanding=True)))
    .order_by(_certification.c.code)
)


def catalogue_page(
    *,
    offset: int,
    limit: int,
    filters: CatalogueFilters | None = None,
    visitor_id: int | None = None,
) -> tuple[list[CatalogueCourse], int]:
    """``limit`` published courses from ``offset``, by title, that match ``filters``, and how
    many match. ``visitor_id`` (None when signed out) gives each course the visitor's
    progress, and is whose certifications ``my_certifications`` means."""
    filters = filters or CatalogueFilters()
    mine = filters.my_certifications and visitor_id is not None
    count, page = _statements(
        bool(filters.search), mine, filters.min_credits is not None, filters.max_credits is not None
    )
    used: dict[str, Any] = {}
    if filters.search:
        used["pattern"] = like_pattern(filters.search[:MAX_SEARCH_CHARS])
    if mine:
        used["user_id"] = visitor_id
    if filters.min_credits is not None:
        used["min_credits"] = filters.min_credits
    if filters.max_credits is not None:
        used["max_credits"] = filters.max_credits
    db = session()
    total = db.execute(count, used).scalar_one()
    rows = db.execute(
        page, {**used, "visitor_id": visitor_id, "offset": offset, "limit": limit}
    ).all()
    # Runs even for an empty page, so the page's statement count never varies.
    certifications: dict[int, list[CatalogueCertification]] = {}
    for course_id, code, name in db.execute(
        _CERTIFICATIONS, {"course_ids": [row.id for row in rows]}
    ):
        certifications.setdefault(course_id, []).append(CatalogueCertification(code, name))
    return [
        CatalogueCourse(*row, certifications=tuple(certifications.get(row.id, ()))) for row in rows
    ], total
