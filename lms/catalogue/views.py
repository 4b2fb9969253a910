"""The catalogue and course pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from lms.accounts.forms import ActionForm
from lms.auth import current_learner
from lms.catalogue.listing import catalogue_page
from lms.catalogue.operations import credit_refusal, published_course
from lms.clock import now
from lms.learning.operations import can_move_to, course_for
from lms.pagination import page_or_404, requested_page

bp = Blueprint("catalogue", __name__)


#: Course cards per catalogue page.
COURSES_PER_PAGE = 12


@bp.get("/")
def index() -> str:
    number = requested_page()
    courses, total = catalogue_page(offset=(number - 1) * COURSES_PER_PAGE, limit=COURSES_PER_PAGE)
    return render_template(
        "lms/catalogue/index.html",
        courses=page_or_404(courses, number, COURSES_PER_PAGE, total),
        today=now().date(),
    )


@bp.get("/courses/<slug>")
def course(slug: str) -> str:
    course, enrolment = course_for(current_learner.id if current_learner else None, slug)
    if course is None:
        abort(404, "There is no course at this address.")
    refusal = None if enrolment and enrolment.completed_at else credit_refusal(course, now().date())
    published = published_course(slug) if enrolment and refusal else None
    return render_template(
        "lms/catalogue/course.html",
        course=course,
        enrolment=enrolment,
        credit_note=refusal,
        # The published version a learner stuck on a lapsed one may start again on.
        move_to=published if published and can_move_to(enrolment, published, now()) else None,
        form=ActionForm(),
    )
