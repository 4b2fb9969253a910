"""What a course's page shows: the version a visitor sees (the one they enrolled in, else the
published one), its provider, certifications and modules, and the visitor's progress.

Three prebuilt statements, plain rows: the course page is among the most visited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import bindparam, select

from lms.catalogue.cards import card_colour, initials
from lms.catalogue.listing import CatalogueCertification
from lms.catalogue.models import (
    Certification,
    Course,
    Media,
    Module,
    Provider,
    course_certification,
)
from lms.catalogue.operations import SLUG_RE
from lms.db import session
from lms.learning.models import Enrolment, ModuleCompletion


@dataclass(frozen=True)
class PageModule:
    id: int
    title: str
    #: The visitor completed it (always False for someone not enrolled).
    done: bool
    #: Its place in the course, from 1 (the module page's address).
    position: int = 0


@dataclass(frozen=True)
class PageEnrolment:
    id: int
    course_id: int
    completed_at: datetime | None
    #: The certificate it earned was revoked with a retake: the learner may enrol again.
    retake_allowed_at: datetime | None = None


@dataclass(frozen=True)
class PageCourse:
    """The course version shown; its approval fields are what ``credit_refusal`` reads."""

    id: int
    slug: str
    title: str
    summary: str
    credits: Decimal
    credit_unit: str
    version: int
    status: str
    approval_number: str | None
    approved_on: date | None
    approval_expires_on: date | None
    provider_name: str
    duration_minutes: int | None = None
    image_id: int | None = None
    image_filename: str | None = None
    certifications: tuple[CatalogueCertification, ...] = ()
    modules: tuple[PageModule, ...] = ()

    @property
    def modules_done(self) -> int:
        return sum(1 for m in self.modules if m.done)

    @property
    def next_module(self) -> PageModule | None:
        """Where the visitor left off: the first module not done (None when all are)."""
        return next((m for m in self.modules if not m.done), None)

    @property
    def initials(self) -> str:
        return initials(self.title)

    @property
    def colour(self) -> str:
        return card_colour(self.id)


_course = Course.__table__
_enrolment = Enrolment.__table__
_module = Module.__table__
_completion = ModuleCompletion.__table__
_certification = Certification.__table__
_media = Media.__table__
# Built once. The version enrolled in (any, the latest enrolment first), else the newest
# published one: one statement for a visitor, enrolled or not.
_VERSION = (
    select(
        _course.c.id,
        _course.c.slug,
        _course.c.title,
        _course.c.summary,
        _course.c.credits,
        _course.c.credit_unit,
        _course.c.version,
        _course.c.status,
        _course.c.approval_number,
        _course.c.approved_on,
        _course.c.approval_expires_on,
        Provider.__table__.c.name,
        _course.c.duration_minutes,
        _media.c.id.label("image_id"),
        _media.c.filename,
        _enrolment.c.id.label("enrolment_id"),
        _enrolment.c.completed_at,
        _enrolment.c.retake_allowed_at,
    )
    .join(Provider.__table__, Provider.__table__.c.id == _course.c.provider_id)
    .outerjoin(_media, _media.c.id == _course.c.image_media_id)
    .outerjoin(
        _enrolment,
        (_enrolment.c.course_id == _course.c.id) & (_enrolment.c.user_id == bindparam("user_id")),
    )
    .where(
        _course.c.slug == bindparam("slug"),
        _enrolment.c.id.is_not(None) | (_course.c.status == "published"),
    )
    .order_by(_enrolment.c.id.is_(None), _enrolment.c.id.desc(), _course.c.version.desc())
    .limit(1)
)
_CERTIFICATIONS = (
    select(_certification.c.code, _certification.c.name)
    .join(course_certification, course_certification.c.certification_id == _certification.c.id)
    .where(course_certification.c.course_id == bindparam("course_id"))
    .order_by(_certification.c.code)
)
_MODULES = (
    select(_module.c.id, _module.c.title, _completion.c.id.is_not(None), _module.c.position)
    .outerjoin(
        _completion,
        (_completion.c.module_id == _module.c.id)
        & (_completion.c.enrolment_id == bindparam("enrolment_id")),
    )
    .where(_module.c.course_id == bindparam("course_id"))
    .order_by(_module.c.position)
)


def course_page(user_id: int | None, slug: str) -> tuple[PageCourse | None, PageEnrolment | None]:
    """The version this visitor sees, and their enrolment in it (None when signed out or not
    enrolled); (None, None) when there is no such course to see."""
    if not SLUG_RE.fullmatch(slug):  # also keeps NUL and other oddities away from the database
        return None, None
    db = session()
    row = db.execute(_VERSION, {"user_id": user_id, "slug": slug}).first()
    if row is None:
        return None, None
    *fields, enrolment_id, completed_at, retake_allowed_at = row
    certifications = tuple(
        CatalogueCertification(*c) for c in db.execute(_CERTIFICATIONS, {"course_id": row.id})
    )
    modules = tuple(
        PageModule(module_id, title, bool(done), position)
        for module_id, title, done, position in db.execute(
            _MODULES, {"course_id": row.id, "enrolment_id": enrolment_id}
        )
    )
    course = PageCourse(*fields, certifications=certifications, modules=modules)
    enrolment = (
        PageEnrolment(enrolment_id, row.id, completed_at, retake_allowed_at)
        if enrolment_id is not None
        else None
    )
    return course, enrolment
