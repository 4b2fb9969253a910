"""The catalogue and course pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from lms.accounts.forms import ActionForm
from lms.auth import current_learner
from lms.catalogue.course_page import course_page
from lms.catalogue.forms import CatalogueFilterForm
from lms.catalogue.listing import CatalogueFilters, catalogue_page
from lms.catalogue.operations import credit_refusal, published_course
from lms.clock import now
from lms.learning.operations import can_move_to, enrolment_in
from lms.links import link_maker
from lms.pagination import page_or_404, requested_page

bp = Blueprint("catalogue", __name__)


#: Course cards per catalogue page.
COURSES_PER_PAGE = 12


@bp.get("/")
def index() -> tuple[str, int]:
    number = requested_page()
    form = CatalogueFilterForm(request.args)
    valid = form.validate()
    visitor_id = current_learner.id if current_learner else None
    filters = form.filters() if valid else CatalogueFilters()
    courses, total = catalogue_page(
        offset=(number - 1) * COURSES_PER_PAGE,
        limit=COURSES_PER_PAGE,
        filters=filters,
        visitor_id=visitor_id,
    )
    page = render_template(
        "lms/catalogue/index.html",
        courses=page_or_404(courses, number, COURSES_PER_PAGE, total),
        form=form,
        filtered=valid and filters.active,
        today=now().date(),
        course_link=link_maker("lms.catalogue.course", "slug"),
        resume_link=link_maker("lms.learning.resume", "slug"),
    )
    # A filter that makes no sense is shown with its reason (and every course), as a 400.
    return page, 200 if valid else 400


@bp.get("/courses/<slug>")
def course(slug: str) -> str:
    user_id = current_learner.id if current_learner else None
    course, enrolment = course_page(user_id, slug)
    if course is None:
        abort(404, "There is no course at this address.")
    today = now().date()
    refusal = None if enrolment and enrolment.completed_at else credit_refusal(course, today)
    if enrolment and enrolment.completed_at and enrolment.retake_allowed_at:
        # Rare: a retake starts on the published version; say so when it could earn nothing.
        published = published_course(slug)
        refusal = (
            credit_refusal(published, today)
            if published
            else "This course is closed to new starts."
        )
    move_to = None
    if enrolment and refusal and user_id is not None:
        # Rare: a learner on a version whose approval lapsed may start the published one.
        published, pinned = published_course(slug), enrolment_in(user_id, slug)
        if published and pinned and can_move_to(pinned, published, now()):
            move_to = published
    return render_template(
        "lms/catalogue/course.html",
        course=course,
        enrolment=enrolment,
        credit_note=refusal,
        move_to=move_to,
        form=ActionForm(),
    )
