"""Pages of a course in progress: modules in order, then the final quiz."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from lms.accounts.forms import ActionForm
from lms.auth import current_learner, login_required
from lms.catalogue.models import Course, Module
from lms.catalogue.operations import published_course
from lms.clock import now
from lms.credits.operations import certificate_for_enrolment
from lms.learning import operations as ops
from lms.learning.models import Enrolment
from quizzes import Attempt, AttemptError, InvalidResponse

bp = Blueprint("learning", __name__)

NO_ATTEMPT = "There is no such quiz attempt."


def _course_or_404(slug: str) -> Course:
    course = published_course(slug)
    if course is None:
        abort(404, "There is no course at this address.")
    return course


def enrolled(view: Callable[..., Any]) -> Callable[..., Any]:
    """Sign-in, then the course from ``slug`` (404), its module from ``position`` (404) and the
    learner's enrolment (or back to the course page to enrol) as arguments of the view."""

    @functools.wraps(view)
    @login_required
    def wrapped(slug: str, **kwargs: Any) -> Any:
        course = _course_or_404(slug)
        if "position" in kwargs:
            position = kwargs.pop("position")
            module = next((m for m in course.modules if m.position == position), None)
            if module is None:
                abort(404, "This course has no such module.")
            kwargs["module"] = module
        enrolment = ops.enrolment_for(current_learner.id, course.id)
        if enrolment is None:
            flash("Enrol in the course first.", "info")
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
    ops.enrol(current_learner.id, _course_or_404(slug), now())
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
    if not ops.can_open(progress, module):
        flash("Modules open in order: finish this one first.", "info")
        return redirect(url_for(".resume", slug=course.slug))
    return render_template(
        "lms/learning/module.html",
        course=course,
        module=module,
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
    attempts = ops.attempts_of(enrolment)
    open_attempt = next((a for a in attempts if a.state == "open"), None)
    return render_template(
        "lms/learning/quiz.html",
        course=course,
        quiz=ops.final_quiz_of(course),
        progress=ops.progress_of(enrolment, course.modules),
        enrolment=enrolment,
        attempts=[a for a in attempts if a.state != "open"],
        open_attempt=open_attempt,
        questions=ops.questions_of(open_attempt) if open_attempt else [],
        certificate=certificate_for_enrolment(enrolment) if enrolment.completed_at else None,
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


@bp.post("/courses/<slug>/quiz/<int:attempt_id>")
@enrolled
def submit_quiz(course: Course, enrolment: Enrolment, attempt_id: int) -> Response:
    try:
        ops.submit_final_quiz(enrolment, attempt_id, _responses_from_form(), now())
    except AttemptError:
        abort(404, NO_ATTEMPT)
    except InvalidResponse as exc:
        abort(400, f"{exc}. Answer the questions, then submit.")
    return redirect(url_for(".attempt_result", slug=course.slug, attempt_id=attempt_id))


@bp.get("/courses/<slug>/quiz/<int:attempt_id>")
@enrolled
def attempt_result(course: Course, enrolment: Enrolment, attempt_id: int) -> str | Response:
    attempt = _attempt_or_404(enrolment, attempt_id)
    if attempt.state == "open":
        return redirect(url_for(".quiz", slug=course.slug))
    return render_template(
        "lms/learning/result.html",
        course=course,
        attempt=attempt,
        certificate=certificate_for_enrolment(enrolment) if attempt.passed else None,
    )
