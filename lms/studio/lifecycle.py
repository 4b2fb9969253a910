"""A course version's lifecycle: draft → submitted → approved → published → retired.

Only a draft is edited. Editing a published course starts a new draft version under the same
slug, a copy of the published one; learners keep the version they enrolled in. Every
transition is a conditional update on the state it leaves, so a double click or two admins
acting at once move a course once.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select, update

from lms.catalogue.models import Certification, Course, Module, Provider
from lms.catalogue.operations import SLUG_RE, approval_lapsed
from lms.db import session
from lms.notifications.messages import course_reviewed
from lms.studio.estimates import over_estimate
from quizzes import Quiz, add_questions, question_spec

QUIZ_SETTINGS = (
    "pass_percent",
    "max_attempts",
    "cooldown_minutes",
    "grading_method",
    "time_limit_minutes",
    "review_shows",
    "review_when",
)
MAX_CREDITS = Decimal("99")
#: Trainers are warned this many days before an approval runs out.
EXPIRY_WARNING_DAYS = 60
APPROVAL_NUMBER_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./:#_-]{0,59}")


class LifecycleError(ValueError):
    """A step the course cannot take in its state; the message says why and what to do."""


STATE_LABELS = {
    "draft": "Draft",
    "submitted": "Submitted for approval",
    "approved": "Approved, not yet published",
    "published": "Published",
    "retired": "Retired",
}


def versions_of(slug: str) -> list[Course]:
    """Every version of the course, newest first."""
    return list(
        session().scalars(select(Course).where(Course.slug == slug).order_by(Course.version.desc()))
    )


def is_editable(course: Course) -> bool:
    return course.status == "draft"


def require_editable(course: Course) -> None:
    if not is_editable(course):
        # Say what to do in this state (each is done on the course's versions page).
        how = {
            "submitted": "Withdraw it from approval to edit it again.",
            "approved": "Publish it, then start a new version to change it.",
        }.get(course.status, "Start a new version to edit it.")
        raise LifecycleError(
            f"Version {course.version} is {STATE_LABELS[course.status].lower()}; only a draft "
            f"can be changed. {how}"
        )


def slug_for(title: str) -> str:
    """A free slug from the title: "Odour Control 101" -> "odour-control-101" (then -2, -3...)."""
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:100] or "course"
    taken = set(session().scalars(select(Course.slug).where(Course.slug.like(f"{base}%"))))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def parse_credits(value: object) -> Decimal:
    try:
        credits = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise LifecycleError("Credits must be a number, such as 1 or 0.5.") from None
    if not credits.is_finite() or not Decimal(0) < credits <= MAX_CREDITS:
        raise LifecycleError(f"Credits must be more than 0 and at most {MAX_CREDITS}.")
    if credits != credits.quantize(Decimal("0.01")):
        raise LifecycleError("Credits take at most two decimals.")
    return credits


def provider_named(name: str) -> Provider:
    """The provider of that name, created on first use."""
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise LifecycleError("Name the provider (at most 200 characters).")
    db = session()
    provider = db.scalars(select(Provider).where(func.lower(Provider.name) == name.lower())).first()
    if provider is None:
        provider = Provider(name=name)
        db.add(provider)
    return provider


def create_draft(
    *,
    owner_id: int,
    title: str,
    summary: str,
    provider_name: str,
    credits: object,
    certifications: list[Certification],
    now: datetime,
    slug: str | None = None,
) -> Course:
    """A new course as version 1, a draft with an empty final quiz (the caller commits)."""
    title = " ".join(title.split())
    if not title or len(title) > 200:
        raise LifecycleError("Give the course a title (at most 200 characters).")
    if slug is not None and (not SLUG_RE.fullmatch(slug) or versions_of(slug)):
        raise LifecycleError("That web address is taken or not valid (a-z, 0-9 and dashes).")
    claimed = parse_credits(credits)  # every check before anything is added to the session
    provider = provider_named(provider_name)
    quiz = Quiz(title=f"{title}: final quiz", pass_percent=70, created_at=now, draw_rules=[])
    session().add(quiz)
    session().flush()
    course = Course(
        slug=slug or slug_for(title),
        title=title,
        summary=summary.strip(),
        provider=provider,
        credits=claimed,
        credit_unit=certifications[0].credit_unit if certifications else "CEC",
        version=1,
        status="draft",
        final_quiz_id=quiz.id,
        owner_id=owner_id,
        certifications=certifications,
        created_at=now,
    )
    session().add(course)
    session().flush()
    return course


def new_version(course: Course, now: datetime) -> Course:
    """A draft copy of a published (or retired) version, numbered after the newest one; the
    existing draft when one is already in progress (the caller commits)."""
    versions = versions_of(course.slug)
    in_progress = next(
        (v for v in versions if v.status in ("draft", "submitted", "approved")), None
    )
    if in_progress is not None:
        return in_progress
    db = session()
    quiz = db.get(Quiz, course.final_quiz_id) if course.final_quiz_id else None
    copy_quiz = Quiz(title=quiz.title if quiz else course.title, created_at=now, draw_rules=[])
    if quiz is not None:
        # Copied as stored, not re-checked: a setting saved under older limits must not make
        # the published course impossible to revise.
        for name in QUIZ_SETTINGS:
            setattr(copy_quiz, name, getattr(quiz, name))
        add_questions(db, copy_quiz, [question_spec(q) for q in quiz.questions])
        copy_quiz.draw_rules = [dict(rule) for rule in quiz.draw_rules or []]
    db.add(copy_quiz)
    db.flush()
    draft = Course(
        slug=course.slug,
        title=course.title,
        summary=course.summary,
        provider_id=course.provider_id,
        credits=course.credits,
        credit_unit=course.credit_unit,
        version=versions[0].version + 1,
        status="draft",
        final_quiz_id=copy_quiz.id,
        owner_id=course.owner_id,
        certifications=list(course.certifications),
        created_at=now,
        image_media_id=course.image_media_id,
        duration_minutes=course.duration_minutes,
        modules=[
            Module(
                position=m.position,
                title=m.title,
                body=m.body,
                media_url=m.media_url,
                media_id=m.media_id,
                media_minutes=m.media_minutes,
            )
            for m in course.modules
        ],
    )
    db.add(draft)
    db.flush()
    return draft


def missing_for_submission(course: Course) -> list[str]:
    """What a course needs before it can go to the certifying body."""
    quiz = session().get(Quiz, course.final_quiz_id) if course.final_quiz_id else None
    missing = []
    if not course.modules:
        missing.append("at least one module")
    if quiz is None or not quiz.questions:
        missing.append("a final quiz with at least one question")
    if not course.certifications:
        missing.append("the certifications it counts toward")
    if not course.summary.strip():
        missing.append("a summary")
    return missing


def _move(course: Course, leaving: str, entering: str, **values: object) -> None:
    """The transition as a conditional update: only one of two racing requests moves it."""
    db = session()
    moved = db.execute(
        update(Course)
        .where(Course.id == course.id, Course.status == leaving)
        .values(status=entering, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.refresh(course)
    if moved != 1:
        raise LifecycleError(
            f"Version {course.version} is now {STATE_LABELS[course.status].lower()}; "
            "reload the page to see its current state."
        )


class CreditReasonRequired(LifecycleError):
    """The course claims more credit than its estimate and no reason was given."""


#: The longest reason a trainer may give for claiming more than the estimate.
MAX_CREDIT_REASON = 2000


def submit(course: Course, now: datetime, credit_reason: str = "") -> None:
    """Send a draft for approval. A claim above the credit estimate (under any regime of its
    certifications) needs the trainer's reason, which the reviewer sees beside the estimate."""
    missing = missing_for_submission(course)
    if course.status == "draft" and missing:
        raise LifecycleError("Before submitting, add " + "; ".join(missing) + ".")
    credit_reason = credit_reason.strip()
    # Only a draft is submitted: any other state is refused by the move below, as it was.
    over = over_estimate(course) if course.status == "draft" else []
    if over and not credit_reason:
        supported = min(e.credits for e in over)
        raise CreditReasonRequired(
            f"The course claims {course.credits.normalize():f} {course.credit_unit} but its "
            f"content supports {supported.normalize():f} {over[0].unit} by the estimate; say why "
            "it deserves more, or lower the claim."
        )
    if len(credit_reason) > MAX_CREDIT_REASON:
        raise CreditReasonRequired(f"Keep the reason under {MAX_CREDIT_REASON} characters.")
    _move(
        course,
        "draft",
        "submitted",
        submitted_at=now,
        review_note="",
        credit_reason=credit_reason if over else "",
    )


def withdraw(course: Course) -> None:
    """Take a submission back to edit it further."""
    _move(course, "submitted", "draft", submitted_at=None)


def parse_approval(number: str, approved_on: str, expires_on: str) -> tuple[str, date, date]:
    """The approval's fields, checked; raises LifecycleError naming the field."""
    number = number.strip()
    if not APPROVAL_NUMBER_RE.fullmatch(number):
        raise LifecycleError(
            "The approval number is required: up to 60 letters, digits, spaces and . / : # _ -"
        )
    try:
        approved = date.fromisoformat(approved_on.strip())
        expires = date.fromisoformat(expires_on.strip())
    except ValueError:
        raise LifecycleError("Give the approval and expiry dates as YYYY-MM-DD.") from None
    if expires <= approved:
        raise LifecycleError("The approval must expire after the date it was given.")
    return number, approved, expires


def approve(
    course: Course,
    *,
    number: str,
    approved_on: date,
    expires_on: date,
    admin_id: int,
    note: str = "",
) -> None:
    """Record the certifying body's approval; the trainer is notified, with the admin's note."""
    _move(
        course,
        "submitted",
        "approved",
        approval_number=number,
        approved_on=approved_on,
        approval_expires_on=expires_on,
        approved_by_id=admin_id,
        review_note="",
    )
    course_reviewed(course, approved=True, note=note, submitted_at=course.submitted_at)


def send_back(course: Course, note: str) -> None:
    """Return a submission to its trainer with the reason."""
    note = note.strip()
    if not note:
        raise LifecycleError("Say what the trainer should change.")
    submitted_at = course.submitted_at  # names this round: a version may go back twice
    _move(course, "submitted", "draft", review_note=note[:2000], submitted_at=None)
    course_reviewed(course, approved=False, note=note[:2000], submitted_at=submitted_at)


def publish(course: Course, now: datetime) -> None:
    """Put an approved version in the catalogue; the version it replaces is retired (its
    learners keep it)."""
    if course.status == "approved" and approval_lapsed(course, now.date()):
        raise LifecycleError(
            f"The approval expired on {course.approval_expires_on}; ask for it to be renewed."
        )
    _move(course, "approved", "published", published_at=now)
    session().execute(
        update(Course)
        .where(Course.slug == course.slug, Course.status == "published", Course.id != course.id)
        .values(status="retired", retired_at=now)
        .execution_options(synchronize_session=False)
    )


def retire(course: Course, now: datetime) -> None:
    """Take the course out of the catalogue; enrolled learners may still finish it."""
    _move(course, "published", "retired", retired_at=now)


def expiring_soon(courses: list[Course], today: date) -> list[Course]:
    """Published versions whose approval ends within EXPIRY_WARNING_DAYS (or has ended)."""
    horizon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    return [
        c
        for c in courses
        if c.status == "published"
        and c.approval_expires_on is not None
        and c.approval_expires_on <= horizon
    ]
