"""Studio pages: the trainer's courses. The question bank moved to the quiz editor
(``lms.studio.quiz_editor``); its old address leads to the newest version's quiz."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from werkzeug.wrappers import Response

from lms.catalogue.models import Course
from lms.studio.access import owned_course, studio_required, visible_courses
from lms.studio.blueprint import bp
from lms.studio.lifecycle import STATE_LABELS


@bp.get("/")
@studio_required
def index() -> str:
    return render_template("lms/studio/index.html", courses=visible_courses(), labels=STATE_LABELS)


@bp.get("/courses/<slug>/questions")
@owned_course
def questions(course: Course) -> Response:
    """Old address of the question bank: the quiz editor of the newest version."""
    return redirect(url_for("lms.studio.quiz_overview", slug=course.slug, version=course.version))
