"""A person's credit ledger for an admin: every entry with its source and verification level,
a correction (a reversing entry with a reason, once per entry), and their audit packet."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from lms.accounts.forms import ActionForm
from lms.accounts.models import User
from lms.admin.access import admin_required, get_or_404
from lms.admin.blueprint import bp
from lms.auth import current_learner
from lms.clock import now
from lms.credits.corrections import REASON_MAX, CorrectionRefused, correct_entry
from lms.credits.operations import ledger_of, totals_by_unit
from lms.credits.views import packet_response, period_for
from lms.db import session


def _page(user: User, *, error: str = "", status: int = 200, tried: int | None = None) -> Response:
    ledger = ledger_of(user.id)
    body = render_template(
        "lms/admin/ledger.html",
        person=user,
        ledger=ledger,
        totals=totals_by_unit(ledger),
        error=error,
        tried=tried,
        reason=request.form.get("reason", "") if error else "",
        reason_max=REASON_MAX,
        form=ActionForm(),
    )
    return make_response(body, status)


@bp.get("/users/<int:user_id>/ledger")
@admin_required
def user_ledger(user_id: int) -> Response:
    return _page(get_or_404(User, user_id))


@bp.post("/users/<int:user_id>/ledger/<int:entry_id>/reverse")
@admin_required
def reverse_entry(user_id: int, entry_id: int) -> Response:
    user = get_or_404(User, user_id)
    try:
        reversal = correct_entry(
            entry_id,
            request.form.get("reason", ""),
            now=now(),
            recorded_by_id=current_learner.id,
            user_id=user.id,
        )
    except CorrectionRefused as exc:
        session().rollback()
        return _page(user, error=str(exc), status=exc.status, tried=entry_id)
    flash(
        f"Entry {entry_id} is reversed by entry {reversal.id} "
        f"({reversal.credits:f} {reversal.credit_unit}).",
        "success",
    )
    return redirect(url_for(".user_ledger", user_id=user.id))


@bp.get("/users/<int:user_id>/audit-packet.zip")
@admin_required
def user_audit_packet(user_id: int) -> Response:
    user = get_or_404(User, user_id)
    period, _ = period_for(user.id)
    return packet_response(user, period)
