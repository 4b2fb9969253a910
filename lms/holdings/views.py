"""The learner's "My certifications" page."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.accounts.forms import ActionForm
from lms.auth import current_learner, login_required
from lms.catalogue.models import Certification
from lms.clock import now
from lms.db import session
from lms.holdings.operations import HoldingRefused, holdings_of, record_holding, remove_holding

bp = Blueprint("holdings", __name__)


def _page(error: str = "", status: int = 200) -> Response:
    page = render_template(
        "lms/holdings/index.html",
        holdings=holdings_of(current_learner.id),
        certifications=list(session().scalars(select(Certification).order_by(Certification.code))),
        error=error,
        entered=request.form if error else {},
        form=ActionForm(),
    )
    return make_response(page, status)


@bp.get("/my/certifications")
@login_required
def index() -> Response:
    return _page()


@bp.post("/my/certifications")
@login_required
def record() -> Response:
    form = request.form
    try:
        certification_id = int(form.get("certification_id", ""))
    except ValueError:
        certification_id = 0
    try:
        holding = record_holding(
            current_learner.id,
            certification_id,
            form.get("number", ""),
            form.get("certified_on", ""),
            now(),
        )
    except HoldingRefused as exc:
        return _page(str(exc), 400)
    flash(f"Saved: {holding.certification.name}, number {holding.number}.", "success")
    return redirect(url_for(".index"))


@bp.post("/my/certifications/<int:holding_id>/remove")
@login_required
def remove(holding_id: int) -> Response:
    if not remove_holding(current_learner.id, holding_id):
        abort(404, "There is no such certification on your list.")
    flash("Removed from your list.", "success")
    return redirect(url_for(".index"))
