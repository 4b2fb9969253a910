"""Revoking a certificate, confirmed first: a page that says what will happen (the credit
reversed, verifiers told it is revoked) and asks for the reason, then the revocation.
Works without JavaScript: the certificate page links here, and this page's form revokes."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, url_for
from werkzeug.wrappers import Response
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

from certificates import Certificate, CertificateFacts
from lms.accounts.forms import LMSForm, no_control_characters
from lms.auth import login_required
from lms.awards import operations as ops
from lms.awards.views import _admin_certificate, bp
from lms.clock import now


def _one_line(value: str | None) -> str | None:
    return " ".join(value.split()) if isinstance(value, str) else value


class RevokeForm(LMSForm):
    reason = TextAreaField(
        "Reason for revoking",
        description="Shown publicly on the verification page, so write it for a verifier.",
        filters=[_one_line],
        validators=[
            DataRequired("Give a reason for the revocation; it is shown publicly."),
            Length(3, 500, "Give a reason of 3 to 500 characters; it is shown publicly."),
            no_control_characters,
        ],
    )
    retake = BooleanField(
        "The learner may retake the course to earn the credit again",
        description="Their course page then offers a new start; a pass earns the credit once.",
    )


def _confirmation(certificate: Certificate, form: RevokeForm, status: int = 200) -> Response:
    page = render_template(
        "lms/awards/revoke.html",
        certificate=certificate,
        facts=CertificateFacts.from_json(certificate.facts),
        form=form,
    )
    return make_response(page, status)


@bp.get("/certificates/<public_id>/revoke")
@login_required
def revoke_confirmation(public_id: str) -> Response:
    certificate = _admin_certificate(public_id)
    if certificate.revoked_at is not None:
        flash("This certificate was already revoked.", "info")
        return redirect(url_for(".certificate_page", public_id=public_id))
    return _confirmation(certificate, RevokeForm())


@bp.post("/certificates/<public_id>/revoke")
@login_required
def revoke(public_id: str) -> Response:
    certificate = _admin_certificate(public_id)
    form = RevokeForm()
    if not form.validate():
        return _confirmation(certificate, form, 400)  # what was typed stays in the form
    if ops.revoke(certificate, form.reason.data, now(), retake=form.retake.data):
        flash(
            "The certificate is revoked and its credit reversed. The verification page and "
            "the status list say so now.",
            "success",
        )
    else:
        flash("This certificate was already revoked.", "info")
    return redirect(url_for(".certificate_page", public_id=public_id))
