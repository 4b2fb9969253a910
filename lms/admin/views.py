"""Admin pages: the landing page here; the approval queue, the certifications catalogue and
the people and their roles in their own modules, all on one blueprint."""

from __future__ import annotations

from flask import render_template

from lms.admin import (  # noqa: F401  (each adds routes)
    approvals,
    branding,
    certifications,
    claims,
    ledger,
    rules,
    users,
)
from lms.admin.access import admin_required
from lms.admin.blueprint import bp
from lms.admin.operations import expiring_approvals, users_by_role, waiting_submissions
from lms.claims.operations import pending_claims_count
from lms.clock import now
from lms.studio.lifecycle import EXPIRY_WARNING_DAYS

__all__ = ["bp"]


@bp.get("/")
@admin_required
def index() -> str:
    today = now().date()
    expiring = expiring_approvals(today)
    expired = [c for c in expiring if c.approval_expires_on < today]
    return render_template(
        "lms/admin/index.html",
        waiting=len(waiting_submissions()),
        expiring=len(expiring) - len(expired),
        expired=len(expired),
        warning_days=EXPIRY_WARNING_DAYS,
        roles=users_by_role(),
        pending_claims=pending_claims_count(),
    )
