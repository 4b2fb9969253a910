"""The catalogue and course pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from lms.accounts.forms import ActionForm
from lms.auth import current_learner
from lms.catalogue.operations import published_course, published_courses
from lms.learning.operations import enrolment_for

bp = Blueprint("catalogue", __name__)


@bp.get("/")
def index() -> str:
    return render_template("lms/catalogue/index.html", courses=published_courses())


@bp.get("/courses/<slug>")
def course(slug: str) -> str:
    course = published_course(slug)
    if course is None:
        abort(404, "There is no course at this address.")
    enrolment = enrolment_for(current_learner.id, course.id) if current_learner else None
    return render_template(
        "lms/catalogue/course.html", course=course, enrolment=enrolment, form=ActionForm()
    )
