"""The reviewers' queue of external credit claims: pending first; approve (credits enter the
log) or reject with a reason the learner reads."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.accounts.models import User
from lms.admin.access import admin_required, get_or_404
from lms.admin.blueprint import bp
from lms.admin.claim_forms import RejectClaimForm
from lms.auth import current_learner
from lms.claims import fields
from lms.claims.models import CreditClaim
from lms.claims.operations import (
    KINDS,
    STATUS_LABELS,
    ClaimRefused,
    approve_claim,
    reject_claim,
    review_queue,
)
from lms.claims.views import evidence_response
from lms.clock import now
from lms.db import session
from lms.rendering import describe_size


def _people(ids: set[int | None]) -> dict[int, User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in session().scalars(select(User).where(User.id.in_(wanted)))}


@bp.get("/claims")
@admin_required
def claims() -> str:
    queue = review_queue()
    return render_template(
        "lms/admin/claims.html",
        pending=[c for c in queue if c.status == "pending"],
        decided=[c for c in queue if c.status != "pending"],
        people=_people({c.user_id for c in queue}),
        labels=STATUS_LABELS,
        kinds=KINDS,
    )


def _claim_page(
    claim: CreditClaim,
    *,
    status: int = 200,
    reject: RejectClaimForm | None = None,
    state_error: str = "",
) -> Response:
    """The claim's page; ``reject``: the reject form as sent (else an empty one)."""
    people = _people({claim.user_id, claim.reviewer_id})
    page = render_template(
        "lms/admin/claim.html",
        claim=claim,
        learner=people.get(claim.user_id),
        reviewer=people.get(claim.reviewer_id) if claim.reviewer_id else None,
        labels=STATUS_LABELS,
        kinds=KINDS,
        categories=fields.CATEGORIES,
        size=describe_size(claim.evidence_size),
        reject=reject or RejectClaimForm(formdata=None),
        state_error=state_error,
    )
    return make_response(page, status)


@bp.get("/claims/<int:claim_id>")
@admin_required
def claim(claim_id: int) -> Response:
    return _claim_page(get_or_404(CreditClaim, claim_id))


@bp.get("/claims/<int:claim_id>/evidence")
@admin_required
def claim_evidence(claim_id: int) -> Response:
    return evidence_response(get_or_404(CreditClaim, claim_id))


@bp.post("/claims/<int:claim_id>/approve", endpoint="approve_claim")
@admin_required
def approve_claim_view(claim_id: int) -> Response:
    claim = get_or_404(CreditClaim, claim_id)
    try:
        approve_claim(claim, current_learner.id, now())
    except ClaimRefused as exc:
        return _claim_page(claim, status=exc.status, state_error=str(exc))
    flash(f"Approved: {claim.title}. The credits are in the learner's log.", "success")
    return redirect(url_for(".claims"))


@bp.post("/claims/<int:claim_id>/reject", endpoint="reject_claim")
@admin_required
def reject_claim_view(claim_id: int) -> Response:
    claim = get_or_404(CreditClaim, claim_id)
    form = RejectClaimForm()
    form.validate()
    try:
        reject_claim(claim, current_learner.id, form.reason.data or "", now())
    except ClaimRefused as exc:
        if exc.status in (403, 409):
            return _claim_page(claim, status=exc.status, state_error=str(exc), reject=form)
        form.mark({"reason": str(exc)})
        return _claim_page(claim, status=exc.status, reject=form)
    flash(f"Rejected: {claim.title}. The learner sees your reason.", "success")
    return redirect(url_for(".claims"))
