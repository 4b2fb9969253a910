"""The learner's compliance page: where they stand in each requirement, what is missing, by
when, and courses that would count."""

from __future__ import annotations

from flask import Blueprint, render_template

from lms.auth import current_learner, login_required
from lms.clock import now
from lms.requirements.operations import STATUS_LABELS, compliance_of, courses_that_count

bp = Blueprint("requirements", __name__)


@bp.get("/my/compliance")
@login_required
def compliance() -> str:
    today = now().date()
    found = compliance_of(current_learner.id, today)
    return render_template(
        "lms/requirements/compliance.html",
        compliance=found,
        suggestions=courses_that_count(current_learner.id, found.standings, today),
        labels=STATUS_LABELS,
        today=today,
    )
