"""The learner's dashboard: courses in progress and the CEC ledger."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lms.auth import current_learner, login_required
from lms.catalogue.models import Course, Module
from lms.credits.operations import ledger_of, totals_by_unit
from lms.db import session
from lms.learning.models import Enrolment, ModuleCompletion

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
@login_required
def index() -> str:
    db = session()
    enrolments = list(
        db.scalars(
            select(Enrolment)
            .where(Enrolment.user_id == current_learner.id)
            .options(selectinload(Enrolment.course).selectinload(Course.provider))
            .order_by(Enrolment.enrolled_at.desc())
        )
    )
    ids = [e.id for e in enrolments]
    course_ids = [e.course_id for e in enrolments]
    # Two counting queries for the whole page, whatever the number of courses.
    done = dict(
        db.execute(
            select(ModuleCompletion.enrolment_id, func.count())
            .where(ModuleCompletion.enrolment_id.in_(ids))
            .group_by(ModuleCompletion.enrolment_id)
        ).all()
    )
    totals = dict(
        db.execute(
            select(Module.course_id, func.count())
            .where(Module.course_id.in_(course_ids))
            .group_by(Module.course_id)
        ).all()
    )
    rows = [
        {
            "enrolment": e,
            "done": done.get(e.id, 0),
            "total": totals.get(e.course_id, 0),
            "percent": round(100 * done.get(e.id, 0) / totals[e.course_id])
            if totals.get(e.course_id)
            else 100,
        }
        for e in enrolments
    ]
    ledger = ledger_of(current_learner.id)
    return render_template(
        "lms/dashboard.html", rows=rows, ledger=ledger, totals=totals_by_unit(ledger)
    )
