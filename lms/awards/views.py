"""Certificate pages: the learner's copy, its PDF, and the public verification page."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, make_response, render_template, request
from werkzeug.wrappers import Response

from certificates import Certificate, CertificateFacts, get_certificate, render_pdf, verify
from lms.auth import current_learner, login_required
from lms.credits.operations import owner_of_certificate
from lms.db import session
from lms.urls import external_url

bp = Blueprint("awards", __name__)

NOT_FOUND = "No certificate has this id."


def verify_url(public_id: str) -> str:
    """The absolute link printed on the certificate and in its QR code."""
    return external_url("lms.awards.verify_page", public_id=public_id)


def _own_certificate(public_id: str) -> Certificate:
    certificate = get_certificate(session(), public_id)
    # Someone else's certificate looks exactly like a missing one: no hint it exists.
    if certificate is None or (
        owner_of_certificate(certificate) != current_learner.id
        and not current_learner.has_role("admin")
    ):
        abort(404, NOT_FOUND)
    return certificate


@bp.get("/certificates/<public_id>")
@login_required
def certificate_page(public_id: str) -> str:
    certificate = _own_certificate(public_id)
    return render_template(
        "lms/awards/certificate.html",
        certificate=certificate,
        facts=CertificateFacts.from_json(certificate.facts),
        verify_url=verify_url(public_id),
    )


@bp.get("/certificates/<public_id>.pdf")
@login_required
def certificate_pdf(public_id: str) -> Response:
    certificate = _own_certificate(public_id)
    pdf = render_pdf(
        CertificateFacts.from_json(certificate.facts),
        public_id=certificate.public_id,
        verify_url=verify_url(public_id),
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="certificate-{public_id}.pdf"'},
    )


@bp.get("/verify/<public_id>")
def verify_page(public_id: str) -> Response:
    wants_json = request.accept_mimetypes.best == "application/json"
    certificate = get_certificate(session(), public_id)
    if certificate is None and wants_json:
        response = jsonify(error="not found", message=NOT_FOUND)
        response.status_code = 404
    elif certificate is None:
        abort(404, NOT_FOUND)
    elif wants_json:
        verdict = verify(certificate)
        response = jsonify(
            id=certificate.public_id,
            status=verdict.status,
            issued_at=certificate.issued_at.isoformat(),
            facts=certificate.facts,
            checks=[vars(check) for check in verdict.checks],
        )
    else:
        response = make_response(
            render_template(
                "lms/awards/verify.html",
                certificate=certificate,
                facts=CertificateFacts.from_json(certificate.facts),
                verdict=verify(certificate),
            )
        )
    response.vary.add("Accept")  # caches must keep the HTML and the JSON apart
    return response
