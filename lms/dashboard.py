"""The learner's dashboard: where they stand in each requirement, their courses and their
credit log.

A fixed number of statements whatever the size of the person's history: the standings are
computed once here (from the credits of the cycles shown, not the whole ledger), and the
courses and the log are read a page at a time with their totals counted by the database.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from lms.auth import current_learner, login_required
from lms.clock import now
from lms.credits.log import credit_lines, credit_totals
from lms.learning.enrolments import my_courses
from lms.links import link_maker
from lms.pagination import page_or_404, requested_page
from lms.requirements.operations import standing_of

bp = Blueprint("dashboard", __name__)

#: Courses and credit-log entries shown per page.
COURSES_PER_PAGE = 6
LOG_LINES_PER_PAGE = 10


@bp.get("/dashboard")
@login_required
def index() -> str:
    user_id = current_learner.id
    courses_at, log_at = requested_page("courses"), requested_page("log")
    courses, course_count = my_courses(
        user_id, offset=(courses_at - 1) * COURSES_PER_PAGE, limit=COURSES_PER_PAGE
    )
    lines = credit_lines(
        user_id, offset=(log_at - 1) * LOG_LINES_PER_PAGE, limit=LOG_LINES_PER_PAGE
    )
    totals = credit_totals(user_id)
    return render_template(
        "lms/dashboard.html",
        standings=standing_of(user_id, now().date()),
        courses=page_or_404(courses, courses_at, COURSES_PER_PAGE, course_count, "courses"),
        log=page_or_404(lines, log_at, LOG_LINES_PER_PAGE, totals.entries, "log"),
        totals={unit: credits for unit, (credits, _) in totals.by_unit.items()},
        resume_link=link_maker("lms.learning.resume", "slug"),
        certificate_link=link_maker("lms.awards.certificate_page", "public_id"),
    )
