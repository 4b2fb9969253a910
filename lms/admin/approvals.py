"""The approval queue: submitted course versions, read-only, approved or sent back."""

from __future__ import annotations

from datetime import date

from flask import flash, make_response, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.accounts.models import User
from lms.admin.access import admin_required, get_or_404
from lms.admin.approval_forms import ApprovalForm, SendBackForm
from lms.admin.blueprint import bp
from lms.admin.operations import expiring_approvals, waiting_submissions
from lms.auth import current_learner
from lms.catalogue.models import Course
from lms.clock import now
from lms.db import session
from lms.studio import lifecycle
from lms.studio.estimates import course_estimates
from quizzes import Quiz

MAX_REASON = 2000


def _people(ids: set[int | None]) -> dict[int, User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in session().scalars(select(User).where(User.id.in_(wanted)))}


@bp.get("/approvals")
@admin_required
def approvals() -> str:
    today = now().date()
    waiting = waiting_submissions()
    expiring = expiring_approvals(today)
    return render_template(
        "lms/admin/approvals.html",
        waiting=waiting,
        expiring=expiring,
        trainers=_people({c.owner_id for c in waiting}),
        today=today,
        warning_days=lifecycle.EXPIRY_WARNING_DAYS,
    )


def _previous_approval(course: Course) -> Course | None:
    """The newest earlier version of the course that was approved: its number and dates are
    the likely ones for a renewal."""
    return (
        session()
        .scalars(
            select(Course)
            .where(
                Course.slug == course.slug,
                Course.version < course.version,
                Course.approval_number.is_not(None),
            )
            .order_by(Course.version.desc())
        )
        .first()
    )


def _prefill(course: Course) -> dict[str, str]:
    previous = _previous_approval(course)
    if previous is None:
        return {}
    return {
        "number": previous.approval_number or "",
        "approved_on": _iso(previous.approved_on),
        "expires_on": _iso(previous.approval_expires_on),
    }


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _review_page(
    course: Course,
    *,
    status: int = 200,
    approval: ApprovalForm | None = None,
    back: SendBackForm | None = None,
    state_error: str = "",
) -> Response:
    """The review page; ``approval`` / ``back``: a form as sent (else fresh ones, the
    approval starting from the previous version's)."""
    quiz = session().get(Quiz, course.final_quiz_id) if course.final_quiz_id else None
    content, estimates = course_estimates(course, list(course.modules), quiz)
    people = _people({course.owner_id, course.approved_by_id})
    page = render_template(
        "lms/admin/approval.html",
        course=course,
        state_label=lifecycle.STATE_LABELS.get(course.status, course.status),
        trainer=people.get(course.owner_id) if course.owner_id else None,
        approved_by=people.get(course.approved_by_id) if course.approved_by_id else None,
        question_count=len(quiz.questions) if quiz else 0,
        quiz=quiz,
        content=content,
        estimates=estimates,
        approval=approval or ApprovalForm(formdata=None, data=_prefill(course)),
        back=back or SendBackForm(formdata=None),
        state_error=state_error,
    )
    return make_response(page, status)


@bp.get("/approvals/<int:course_id>")
@admin_required
def review(course_id: int) -> Response:
    return _review_page(get_or_404(Course, course_id))


@bp.post("/approvals/<int:course_id>/approve")
@admin_required
def approve(course_id: int) -> Response:
    course = get_or_404(Course, course_id)
    form = ApprovalForm()
    form.validate()
    note = form.note_text()
    try:
        number, approved_on, expires_on = lifecycle.parse_approval(**form.sent())
        if len(note) > MAX_REASON:
            raise lifecycle.LifecycleError(f"Keep the note under {MAX_REASON} characters.")
        if expires_on < now().date():
            # Most likely a typo; an approval already over could never be published.
            raise lifecycle.LifecycleError("The expiry date has already passed.")
    except lifecycle.LifecycleError as exc:
        form.mark({form.field_of(str(exc)): str(exc)})
        return _review_page(course, status=400, approval=form)
    try:
        lifecycle.approve(
            course,
            number=number,
            approved_on=approved_on,
            expires_on=expires_on,
            admin_id=current_learner.id,
            note=note,
        )
    except lifecycle.LifecycleError as exc:
        # Someone else acted first (or it was withdrawn): nothing was written.
        session().rollback()
        return _review_page(course, status=409, state_error=str(exc), approval=form)
    session().commit()
    flash(
        f"Version {course.version} of {course.title} is approved under {number}; "
        "its trainer can now publish it.",
        "success",
    )
    return redirect(url_for(".approvals"))


@bp.post("/approvals/<int:course_id>/send-back")
@admin_required
def send_back(course_id: int) -> Response:
    course = get_or_404(Course, course_id)
    form = SendBackForm()
    form.validate()
    reason = form.reason.data or ""
    error = ""
    if not reason.strip():
        error = "Say what the trainer should change."
    elif len(reason.strip()) > MAX_REASON:
        error = f"Keep the reason under {MAX_REASON} characters."
    if error:
        form.mark({"reason": error})
        return _review_page(course, status=400, back=form)
    try:
        lifecycle.send_back(course, reason)
    except lifecycle.LifecycleError as exc:
        session().rollback()
        return _review_page(course, status=409, state_error=str(exc), back=form)
    session().commit()
    flash(f"Version {course.version} of {course.title} went back to its trainer.", "success")
    return redirect(url_for(".approvals"))
