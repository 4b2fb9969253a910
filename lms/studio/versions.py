"""A course's versions in the studio and the trainer's lifecycle steps: submit for approval,
withdraw, publish, retire, start a new version. Approval itself is on the admin pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import TextAreaField
from wtforms.validators import Length

from lms.accounts.forms import ActionForm, LMSForm, no_control_characters
from lms.catalogue.models import Course
from lms.clock import now
from lms.db import session
from lms.studio import lifecycle
from lms.studio.access import owned_course, owned_version
from lms.studio.blueprint import bp
from lms.studio.estimates import over_estimate
from quizzes import QuizDefinitionError


@bp.context_processor
def studio_dates() -> dict[str, object]:
    """Today and the approval-warning horizon, for the studio pages' expiry notices."""
    today = now().date()
    return {
        "studio_today": today,
        "studio_horizon": today + timedelta(days=lifecycle.EXPIRY_WARNING_DAYS),
        "warning_days": lifecycle.EXPIRY_WARNING_DAYS,
    }


def version_url(course: Course) -> str:
    return url_for("lms.studio.course_versions", slug=course.slug)


class SubmitForm(LMSForm):
    """Submitting a draft; the reason is asked for (and required) only when the claimed
    credit exceeds the estimate."""

    credit_reason = TextAreaField(
        "Why does the course deserve more credit than the estimate?",
        description="The reviewer sees this beside the estimate.",
        validators=[Length(max=lifecycle.MAX_CREDIT_REASON), no_control_characters],
    )


def _versions_page(
    course: Course, submit_form: SubmitForm | None = None, status: int = 200
) -> Response:
    versions = lifecycle.versions_of(course.slug)
    drafts = [v for v in versions if v.status == "draft"]
    page = render_template(
        "lms/studio/versions.html",
        course=versions[0],
        versions=versions,
        missing={v.id: lifecycle.missing_for_submission(v) for v in drafts},
        over_estimate={v.id: over_estimate(v) for v in drafts},
        submit_form=submit_form or SubmitForm(formdata=None),
        labels=lifecycle.STATE_LABELS,
        expiring={c.id for c in lifecycle.expiring_soon(versions, now().date())},
        form=ActionForm(),
    )
    return make_response(page, status)


@bp.get("/courses/<slug>/")
@owned_course
def course_versions(course: Course) -> Response:
    """Every version of the course with its state, approval and the next step."""
    return _versions_page(course)


def _step(course: Course, action: Callable[[], object], done: str) -> Response:
    """Run one lifecycle step in its own transaction; a refused step changes nothing."""
    try:
        action()
        session().commit()
    except lifecycle.LifecycleError as exc:
        session().rollback()
        abort(409, str(exc))
    flash(done, "success")
    return redirect(version_url(course))


@bp.post("/courses/<slug>/v<int:version>/submit")
@owned_version
def version_submit(course: Course) -> Response:
    form = SubmitForm()
    if not form.validate():
        return _versions_page(course, form, 400)
    try:
        lifecycle.submit(course, now(), form.credit_reason.data or "")
    except lifecycle.CreditReasonRequired as exc:
        session().rollback()
        form.credit_reason.errors = [str(exc)]  # the page asks again, keeping what was typed
        return _versions_page(course, form, 400)
    except lifecycle.LifecycleError as exc:
        session().rollback()
        abort(409, str(exc))
    session().commit()
    flash(
        f"Version {course.version} is submitted; an administrator will record the approval.",
        "success",
    )
    return redirect(version_url(course))


@bp.post("/courses/<slug>/v<int:version>/withdraw")
@owned_version
def version_withdraw(course: Course) -> Response:
    return _step(
        course,
        lambda: lifecycle.withdraw(course),
        f"Version {course.version} is back in draft; submit it again when it is ready.",
    )


@bp.post("/courses/<slug>/v<int:version>/publish")
@owned_version
def version_publish(course: Course) -> Response:
    return _step(
        course,
        lambda: lifecycle.publish(course, now()),
        f"Version {course.version} is published. Learners who started an earlier version keep it.",
    )


@bp.post("/courses/<slug>/v<int:version>/retire")
@owned_version
def version_retire(course: Course) -> Response:
    if request.form.get("sure") != "yes":  # one click must not retire a version for good
        flash(f"Tick the box to confirm that version {course.version} is to be retired.", "error")
        return _versions_page(course, status=400)
    return _step(
        course,
        lambda: lifecycle.retire(course, now()),
        f"Version {course.version} is retired: no new enrolments; enrolled learners may finish.",
    )


@bp.post("/courses/<slug>/v<int:version>/new-version")
@owned_version
def version_new(course: Course) -> Response:
    """Edit a published course: a draft copy, or the draft already in progress."""
    if course.status not in ("published", "retired"):
        abort(409, f"Version {course.version} can still be changed; edit it directly.")
    # Copy what learners see now: the published version, whichever button was pressed.
    published = next(
        (v for v in lifecycle.versions_of(course.slug) if v.status == "published"), None
    )
    try:
        draft = lifecycle.new_version(published or course, now())
    except QuizDefinitionError as exc:  # a question stored under rules since tightened
        session().rollback()
        abort(409, f"The quiz cannot be copied into a new version: {exc}.")
    session().commit()
    flash(f"Version {draft.version} is a draft copy to edit.", "success")
    return redirect(version_url(course))
