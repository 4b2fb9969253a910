"""Pages of a course in progress: modules in order, then the final quiz."""

from __future__ import annotations

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
from quizzes import AttemptError, InvalidResponse

bp = Blueprint("learning", __name__)


def _course_or_404(slug: str) -> Course:
    course = published_course(slug)
    if course is None:
        abort(404, "There is no course at this address.")
    return course


def _module_or_404(course: Course, position: int) -> Module:
    module = next((m for m in course.modules if m.position == position), None)
    if module is None:
        abort(404, "This course has no such module.")
    return module


def _enrolment_or_redirect(course: Course) -> Enrolment | Response:
    enrolment = ops.enrolment_for(current_learner.id, course.id)
    if enrolment is None:
        flash("Enrol in the course first.", "info")
        return redirect(url_for("lms.catalogue.course", slug=course.slug))
    return enrolment


@bp.post("/courses/<slug>/enrol")
@login_required
def enrol(slug: str) -> Response:
    course = _course_or_404(slug)
    ops.enrol(current_learner.id, course, now())
    return redirect(url_for(".resume", slug=slug))


@bp.get("/courses/<slug>/continue")
@login_required
def resume(slug: str) -> Response:
    """Back to where the learner left: the next module, else the quiz, else the certificate."""
    course = _course_or_404(slug)
    enrolment = _enrolment_or_redirect(course)
    if isinstance(enrolment, Response):
        return enrolment
    progress = ops.progress_of(enrolment, course.modules)
    if progress.next_module is not None:
        return redirect(url_for(".module", slug=slug, position=progress.next_module.position))
    return redirect(url_for(".quiz", slug=slug))


@bp.get("/courses/<slug>/modules/<int:position>")
@login_required
def module(slug: str, position: int) -> str | Response:
    course = _course_or_404(slug)
    module = _module_or_404(course, position)
    enrolment = _enrolment_or_redirect(course)
    if isinstance(enrolment, Response):
        return enrolment
    progress = ops.progress_of(enrolment, course.modules)
    if not ops.can_open(progress, module):
        flash("Modules open in order: finish this one first.", "info")
        return redirect(url_for(".resume", slug=slug))
    return render_template(
        "lms/learning/module.html",
        course=course,
        module=module,
        progress=progress,
        form=ActionForm(),
    )


@bp.post("/courses/<slug>/modules/<int:position>/complete")
@login_required
def complete_module(slug: str, position: int) -> Response:
    course = _course_or_404(slug)
    module = _module_or_404(course, position)
    enrolment = _enrolment_or_redirect(course)
    if isinstance(enrolment, Response):
        return enrolment
    try:
        ops.complete_module(enrolment, module, course.modules, now())
    except ops.LearningError as exc:
        abort(409, str(exc))
    return redirect(url_for(".resume", slug=slug))


@bp.get("/courses/<slug>/quiz")
@login_required
def quiz(slug: str) -> str | Response:
    course = _course_or_404(slug)
    enrolment = _enrolment_or_redirect(course)
    if isinstance(enrolment, Response):
        return enrolment
    progress = ops.progress_of(enrolment, course.modules)
    attempts = ops.attempts_of(enrolment)
    open_attempt = next((a for a in attempts if a.state == "open"), None)
    return render_template(
        "lms/learning/quiz.html",
        course=course,
        quiz=ops.final_quiz_of(course),
        progress=progress,
        enrolment=enrolment,
        attempts=[a for a in attempts if a.state != "open"],
        open_attempt=open_attempt,
        questions=ops.questions_of(open_attempt) if open_attempt else [],
        certificate=certificate_for_enrolment(enrolment) if enrolment.completed_at else None,
        form=ActionForm(),
    )


@bp.post("/courses/<slug>/quiz/start")
@login_required
def start_quiz(slug: str) -> Response:
    course = _course_or_404(slug)
    enrolment = _enrolment_or_redirect(course)
    if isinstance(enrolment, Response):
        return enrolment
    try:
        ops.start_final_quiz(enrolment, course.modules, now())
    except ops.LearningError as exc:
        abort(409, str(exc))
    return redirect(url_for(".quiz", slug=slug))


def _responses_from_form() -> dict[str, list[str]]:
    """Answers arrive as q-<question id>; every other field (score, passed, ...) is ignored."""
    responses = {}
    for key in request.form:
        if key.startswith("q-"):
            responses[key[2:]] = request.form.getlist(key)
    return responses


@bp.post("/courses/<slug>/quiz/<int:attempt_id>")
@login_required
def submit_quiz(slug: str, attempt_id: int) -> Response:
    course = _course_or_404(slug)
    enrolment = _enrolment_or_redirect(course)
    if isinstance(enrolment, Response):
        return enrolment
    if ops.attempt_in(enrolment, attempt_id) is None:
        abort(404, "There is no such quiz attempt.")
    responses = _responses_from_form()
    if not responses:
        abort(
            400, "No answers were sent, so nothing was graded. Answer the questions, then submit."
        )
    try:
        ops.submit_final_quiz(enrolment, attempt_id, responses, now())
    except AttemptError:
        abort(404, "There is no such quiz attempt.")
    except InvalidResponse as exc:
        abort(400, f"Your answers could not be read: {exc}.")
    return redirect(url_for(".attempt_result", slug=slug, attempt_id=attempt_id))


@bp.get("/courses/<slug>/quiz/<int:attempt_id>")
@login_required
def attempt_result(slug: str, attempt_id: int) -> str | Response:
    course = _course_or_404(slug)
    enrolment = _enrolment_or_redirect(course)
    if isinstance(enrolment, Response):
        return enrolment
    attempt = ops.attempt_in(enrolment, attempt_id)
    if attempt is None:
        abort(404, "There is no such quiz attempt.")
    if attempt.state == "open":
        return redirect(url_for(".quiz", slug=slug))
    return render_template(
        "lms/learning/result.html",
        course=course,
        attempt=attempt,
        certificate=certificate_for_enrolment(enrolment) if attempt.passed else None,
    )
