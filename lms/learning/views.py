"""Pages of a course in progress: modules in order, then the final quiz."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from lms.accounts.forms import ActionForm
from lms.auth import current_learner, login_required
from lms.catalogue.models import Course, Module
from lms.catalogue.operations import credit_refusal, published_course
from lms.clock import now
from lms.credits.operations import certificate_for_enrolment
from lms.learning import operations as ops
from lms.learning.models import Enrolment
from quizzes import (
    Attempt,
    AttemptClosed,
    AttemptError,
    AttemptExpired,
    InvalidResponse,
    seconds_left,
)

bp = Blueprint("learning", __name__)

NO_ATTEMPT = "There is no such quiz attempt."


def _course_or_404(slug: str) -> Course:
    course = published_course(slug)
    if course is None:
        abort(404, "There is no course at this address.")
    return course


def credit_note(course: Course, enrolment: Enrolment) -> str | None:
    """Why finishing now would earn no credit (shown before the learner starts the quiz)."""
    return None if enrolment.completed_at else credit_refusal(course, now().date())


def enrolled(view: Callable[..., Any]) -> Callable[..., Any]:
    """Sign-in, then the course from ``slug`` (404), its module from ``position`` (404) and the
    learner's enrolment (or back to the course page to enrol) as arguments of the view."""

    @functools.wraps(view)
    @login_required
    def wrapped(slug: str, **kwargs: Any) -> Any:
        # The learner's own version, even after a newer one is published or this one retired.
        enrolment = ops.enrolment_in(current_learner.id, slug)
        course = enrolment.course if enrolment else _course_or_404(slug)
        if "position" in kwargs:
            position = kwargs.pop("position")
            module = next((m for m in course.modules if m.position == position), None)
            if module is None:
                abort(404, "This course has no such module.")
            kwargs["module"] = module
        if enrolment is None:
            flash("You are not enrolled in this course yet: enrol below to start it.", "info")
            return redirect(url_for("lms.catalogue.course", slug=course.slug))
        return view(course=course, enrolment=enrolment, **kwargs)

    return wrapped


def _attempt_or_404(enrolment: Enrolment, attempt_id: int) -> Attempt:
    attempt = ops.attempt_in(enrolment, attempt_id)
    if attempt is None:
        abort(404, NO_ATTEMPT)
    return attempt


@bp.post("/courses/<slug>/enrol")
@login_required
def enrol(slug: str) -> Response:
    try:
        ops.enrol(current_learner.id, _course_or_404(slug), now())
    except ops.LearningError as exc:
        abort(409, str(exc))
    return redirect(url_for(".resume", slug=slug))


@bp.get("/courses/<slug>/continue")
@enrolled
def resume(course: Course, enrolment: Enrolment) -> Response:
    """Back to where the learner left: the next module, else the quiz page."""
    progress = ops.progress_of(enrolment, course.modules)
    if progress.next_module is not None:
        return redirect(
            url_for(".module", slug=course.slug, position=progress.next_module.position)
        )
    return redirect(url_for(".quiz", slug=course.slug))


@bp.get("/courses/<slug>/modules/<int:position>")
@enrolled
def module(course: Course, enrolment: Enrolment, module: Module) -> str | Response:
    progress = ops.progress_of(enrolment, course.modules)
    # A completed course is open for review, module by module, in any order.
    if enrolment.completed_at is None and not ops.can_open(progress, module):
        flash("Modules open in order: finish this one first.", "info")
        return redirect(url_for(".resume", slug=course.slug))
    # Neighbours by place in the course (positions need not be consecutive).
    place = course.modules.index(module)
    return render_template(
        "lms/learning/module.html",
        course=course,
        enrolment=enrolment,
        module=module,
        previous=course.modules[place - 1] if place > 0 else None,
        following=course.modules[place + 1] if place + 1 < len(course.modules) else None,
        progress=progress,
        form=ActionForm(),
    )


@bp.post("/courses/<slug>/modules/<int:position>/complete")
@enrolled
def complete_module(course: Course, enrolment: Enrolment, module: Module) -> Response:
    try:
        ops.complete_module(enrolment, module, course.modules, now())
    except ops.LearningError as exc:
        abort(409, str(exc))
    return redirect(url_for(".resume", slug=course.slug))


@bp.get("/courses/<slug>/quiz")
@enrolled
def quiz(course: Course, enrolment: Enrolment) -> str:
    status = ops.quiz_status(enrolment, now())
    open_attempt = status.open_attempt
    return render_template(
        "lms/learning/quiz.html",
        course=course,
        status=status,
        quiz=status.quiz,
        progress=ops.progress_of(enrolment, course.modules),
        open_attempt=open_attempt,
        questions=ops.questions_of(open_attempt) if open_attempt else [],
        seconds_left=seconds_left(open_attempt, now()) if open_attempt else None,
        certificate=certificate_for_enrolment(enrolment) if enrolment.completed_at else None,
        credit_note=credit_note(course, enrolment),
        retake=ops.may_retake(enrolment),
        taken_back=ops.credit_taken_back(enrolment),
        form=ActionForm(),
    )


@bp.post("/courses/<slug>/quiz/start")
@enrolled
def start_quiz(course: Course, enrolment: Enrolment) -> Response:
    try:
        ops.start_final_quiz(enrolment, course.modules, now())
    except ops.LearningError as exc:
        abort(409, str(exc))
    return redirect(url_for(".quiz", slug=course.slug))


def _responses_from_form() -> dict[str, list[str]]:
    """Answers arrive as q-<question id>; every other field (score, passed, ...) is ignored."""
    return {key[2:]: request.form.getlist(key) for key in request.form if key.startswith("q-")}


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json"
    )


@bp.post("/courses/<slug>/quiz/<int:attempt_id>/save")
@enrolled
def save_quiz(course: Course, enrolment: Enrolment, attempt_id: int) -> Response:
    """Autosave (JSON, from quiz.js) or the page's "Save and finish later" button (HTML)."""
    quiz_page = url_for(".quiz", slug=course.slug)  # before the commit expires the course
    try:
        saved = ops.save_answers(enrolment, attempt_id, _responses_from_form(), now())
    except AttemptExpired:
        message = "Time is up: this attempt was closed and graded with the answers saved before."
        if _wants_json():
            return _json_error(409, message, quiz_page)
        flash(message, "info")
        return redirect(quiz_page)
    except AttemptClosed:
        if _wants_json():
            return _json_error(409, "This attempt is already finished.")
        abort(409, "This attempt is already finished.")
    except AttemptError:
        if _wants_json():
            return _json_error(404, NO_ATTEMPT)
        abort(404, NO_ATTEMPT)
    except InvalidResponse as exc:
        if _wants_json():
            return _json_error(400, f"{exc}.")
        abort(400, f"{exc}. Go back, correct the answer, and save again.")
    if _wants_json():
        return jsonify(
            saved=True, saved_at=saved.saved_at.isoformat() + "Z", seconds_left=saved.seconds_left
        )
    flash("Your answers are saved. Come back to this page to go on.", "success")
    return redirect(quiz_page)


def _json_error(status: int, message: str, location: str | None = None) -> Response:
    response = jsonify(saved=False, error=message, location=location)
    response.status_code = status
    return response


@bp.post("/courses/<slug>/quiz/<int:attempt_id>")
@enrolled
def submit_quiz(course: Course, enrolment: Enrolment, attempt_id: int) -> Response:
    slug = course.slug  # read now: after the service commits, reading it would begin a write
    try:
        outcome = ops.submit_final_quiz(enrolment, attempt_id, _responses_from_form(), now())
    except AttemptError:
        abort(404, NO_ATTEMPT)
    except InvalidResponse as exc:
        abort(400, f"{exc}. Go back, correct the answer, and submit again.")
    if outcome.late and outcome.newly_graded:
        flash(
            "Time was up before these answers arrived, so they were not accepted; the answers "
            "saved before the deadline were graded.",
            "info",
        )
    return redirect(url_for(".attempt_result", slug=slug, attempt_id=attempt_id))


@bp.get("/courses/<slug>/quiz/<int:attempt_id>")
@enrolled
def attempt_result(course: Course, enrolment: Enrolment, attempt_id: int) -> str | Response:
    attempt = _attempt_or_404(enrolment, attempt_id)
    status = ops.quiz_status(enrolment, now())
    if attempt.state == "open":
        return redirect(url_for(".quiz", slug=course.slug))
    assert status.quiz is not None
    level, reviewed = ops.review_of(enrolment, attempt, status.quiz)
    passed = bool(attempt.passed)
    return render_template(
        "lms/learning/result.html",
        course=course,
        attempt=attempt,
        status=status,
        number=next(n for n, a in enumerate(status.attempts, start=1) if a.id == attempt.id),
        level=level,
        reviewed=reviewed,
        # Withheld review: at least how many questions were wrong, never which.
        outcomes={} if reviewed else ops.outcome_counts(enrolment, attempt, status.quiz, level),
        next_course=ops.next_course_that_counts(enrolment.user_id, now().date())
        if passed
        else None,
        certificate=certificate_for_enrolment(enrolment) if enrolment.completed_at else None,
        credit_note=credit_note(course, enrolment),
        retake=ops.may_retake(enrolment),
        taken_back=ops.credit_taken_back(enrolment),
        form=ActionForm(),
    )
