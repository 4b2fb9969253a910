"""The learner's "My certifications" page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.accounts.forms import ActionForm
from lms.auth import current_learner, login_required
from lms.catalogue.models import Certification
from lms.clock import now
from lms.db import session
from lms.holdings.forms import HoldingForm
from lms.holdings.operations import HoldingRefused, holdings_of, record_holding, remove_holding

bp = Blueprint("holdings", __name__)


def _page(form: HoldingForm, status: int = 200) -> Response:
    page = render_template(
        "lms/holdings/index.html",
        holdings=holdings_of(current_learner.id),
        form=form,
        action_form=ActionForm(),
        today=now().date(),
    )
    return make_response(page, status)


def _holding_form() -> HoldingForm:
    form = HoldingForm()
    certifications = session().scalars(select(Certification).order_by(Certification.code))
    form.offer([(c.id, f"{c.name} ({c.code})") for c in certifications])
    return form


@bp.get("/my/certifications")
@login_required
def index() -> Response:
    return _page(_holding_form())


@bp.post("/my/certifications")
@login_required
def record() -> Response:
    form = _holding_form()
    form.validate()
    try:
        certification_id = int(form.certification_id.data or "")
    except ValueError:
        certification_id = 0
    try:
        holding = record_holding(
            current_learner.id,
            certification_id,
            form.number.data or "",
            form.certified_on.data or "",
            now(),
        )
    except HoldingRefused as exc:
        form.mark({exc.field: str(exc)})
        return _page(form, 400)
    flash(f"Saved: {holding.certification.name}, number {holding.number}.", "success")
    return redirect(url_for(".index"))


@bp.post("/my/certifications/<int:holding_id>/remove")
@login_required
def remove(holding_id: int) -> Response:
    if not remove_holding(current_learner.id, holding_id):
        abort(404, "There is no such certification on your list.")
    flash("Removed from your list.", "success")
    return redirect(url_for(".index"))
