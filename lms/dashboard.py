"""The learner's dashboard, built around the next step: the requirement due soonest with
what is missing and one Continue button; then where they stand in each requirement, their
courses (in progress, then completed with their certificates) and their recent credit.

A fixed number of statements whatever the size of the person's history: the standings are
computed once here (from the credits of the cycles shown, not the whole ledger), the courses
and the log are read a page at a time with their totals counted by the database, and the
course in progress comes with the courses' page. Only a learner with nothing in progress and
a requirement to meet costs one statement more: the courses that count toward it.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from lms.auth import current_learner, login_required
from lms.clock import now
from lms.credits.log import credit_lines, credit_totals
from lms.learning.enrolments import my_courses
from lms.links import link_maker
from lms.next_step import next_step, soonest_unmet
from lms.pagination import page_or_404, requested_page
from lms.requirements.operations import STATUS_LABELS, courses_that_count, standing_of

bp = Blueprint("dashboard", __name__)

#: Courses and credit-log entries shown per page.
COURSES_PER_PAGE = 6
LOG_LINES_PER_PAGE = 10


@bp.get("/dashboard")
@login_required
def index() -> str:
    user_id = current_learner.id
    today = now().date()
    courses_at, log_at = requested_page("courses"), requested_page("log")
    mine = my_courses(user_id, offset=(courses_at - 1) * COURSES_PER_PAGE, limit=COURSES_PER_PAGE)
    lines = credit_lines(
        user_id, offset=(log_at - 1) * LOG_LINES_PER_PAGE, limit=LOG_LINES_PER_PAGE
    )
    totals = credit_totals(user_id)
    standings = standing_of(user_id, today)
    due = soonest_unmet(standings)
    suggestions = []
    if mine.in_progress is None and due is not None:
        suggestions = courses_that_count(user_id, [due], today).get(due.key, [])
    return render_template(
        "lms/dashboard.html",
        step=next_step(standings, mine.in_progress, suggestions),
        standings=standings,
        today=today,
        status_labels=STATUS_LABELS,
        courses=page_or_404(mine.courses, courses_at, COURSES_PER_PAGE, mine.total, "courses"),
        log=page_or_404(lines, log_at, LOG_LINES_PER_PAGE, totals.entries, "log"),
        totals={unit: credits for unit, (credits, _) in totals.by_unit.items()},
        resume_link=link_maker("lms.learning.resume", "slug"),
        course_link=link_maker("lms.catalogue.course", "slug"),
        certificate_link=link_maker("lms.awards.certificate_page", "public_id"),
    )
