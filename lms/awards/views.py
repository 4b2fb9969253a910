"""Certificate pages: the learner's copy and PDF, the public verification page, the signed
credential, the issuer profile and the revocation list, and an admin's revoke and reissue."""

from __future__ import annotations

import json
import re
from datetime import datetime
from urllib.parse import urlencode

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from certificates import Certificate, CertificateFacts, get_certificate, render_pdf
from certificates.issuing import certificate_record
from lms.accounts.forms import ActionForm
from lms.auth import current_learner, login_required
from lms.awards import operations as ops
from lms.awards.branding import SiteBranding, load_branding
from lms.awards.issuer import IssuerNotConfigured
from lms.awards.published import branding, issuer_profile, published, status_list
from lms.clock import now
from lms.db import session
from lms.limits import config_limit, limiter
from lms.served_files import stored_file_response
from lms.urls import external_url

bp = Blueprint("awards", __name__)

NOT_FOUND = "No certificate has this id."
CREDENTIAL_TYPE = "application/vc+ld+json"


def verify_url(public_id: str) -> str:
    """The absolute link printed on the certificate and in its QR code."""
    return external_url("lms.awards.verify_page", public_id=public_id)


def _own_certificate(public_id: str) -> Certificate:
    certificate = get_certificate(session(), public_id)
    # Someone else's certificate looks exactly like a missing one: no hint it exists.
    if certificate is None or (
        ops.owner_of(certificate) != current_learner.id and not current_learner.has_role("admin")
    ):
        abort(404, NOT_FOUND)
    return certificate


def linkedin_url(certificate: Certificate, facts: CertificateFacts) -> str:
    """LinkedIn's "Add licence or certification" form, filled in."""
    query = {
        "startTask": "CERTIFICATION_NAME",
        "name": facts.course_title,
        "organizationName": facts.provider,
        "issueYear": facts.completed_on.year,
        "issueMonth": facts.completed_on.month,
        "certUrl": verify_url(certificate.public_id),
        "certId": certificate.public_id,
    }
    return "https://www.linkedin.com/profile/add?" + urlencode(query)


@bp.get("/certificates/<public_id>")
@login_required
def certificate_page(public_id: str) -> str:
    certificate = _own_certificate(public_id)
    facts = CertificateFacts.from_json(certificate.facts)
    return render_template(
        "lms/awards/certificate.html",
        certificate=certificate,
        facts=facts,
        verify_url=verify_url(public_id),
        linkedin_url=linkedin_url(certificate, facts),
        replacement=ops.replacement_of(certificate),
        replaced=ops.replaced_by_this(certificate),
        form=ActionForm(),
        branding=branding(),
    )


@bp.get("/certificates/<public_id>.pdf")
@login_required
def certificate_pdf(public_id: str) -> Response:
    certificate = _own_certificate(public_id)
    facts = CertificateFacts.from_json(certificate.facts)
    pdf = render_pdf(
        facts,
        public_id=certificate.public_id,
        verify_url=verify_url(public_id),
        revoked=(
            f"{certificate.revoked_at:%Y-%m-%d}, {certificate.revocation_reason}"
            if certificate.revoked_at
            else None
        ),
        design=branding().design,
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="certificate-{public_id}.pdf"'},
    )


@bp.post("/certificates/<public_id>/reissue")
@login_required
def reissue(public_id: str) -> Response:
    certificate = _admin_certificate(public_id)
    try:
        new = ops.reissue(certificate, now())
    except ops.AwardError as exc:
        abort(409, str(exc))
    flash("A new certificate replaces this one; the old one is revoked and links to it.", "success")
    return redirect(url_for(".certificate_page", public_id=new.public_id))


def _admin_certificate(public_id: str) -> Certificate:
    if not current_learner.has_role("admin"):
        abort(403, "Only an administrator can revoke or reissue a certificate.")
    certificate = get_certificate(session(), public_id)
    if certificate is None:
        abort(404, NOT_FOUND)
    return certificate


def _json_document(document: dict, mimetype: str, max_age: int) -> Response:
    """A public JSON-LD document, cacheable for ``max_age`` seconds and revalidated by its
    ETag (a verifier's or proxy's copy costs a 304 once it is stale, not the document)."""
    response = make_response(json.dumps(document, ensure_ascii=False, indent=2))
    response.mimetype = mimetype
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers fetch from anywhere
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/issuer")
def issuer_page() -> Response:
    """The issuer profile: every public key ever used, as Multikeys with their dates."""
    return _json_document(issuer_profile(), "application/ld+json", 300)


@bp.get("/status/revocation")
def status_list_page() -> Response:
    """The signed revocation list (Bitstring Status List, 131,072 entries)."""
    return _json_document(status_list(), CREDENTIAL_TYPE, 60)


@bp.get("/credentials/<public_id>")
@limiter.limit(config_limit("LMS_VERIFY_RATE_LIMIT"))
def credential_document(public_id: str) -> Response:
    certificate = certificate_record(session(), public_id)
    if certificate is None:
        abort(404, NOT_FOUND)
    credential = ops.credential_of(certificate, now())
    response = _json_document(credential, CREDENTIAL_TYPE, 3600)
    response.headers["Content-Disposition"] = f'inline; filename="{public_id}.json"'
    return response


def _branding_of_documents(revision: str | None) -> SiteBranding:
    try:
        return published(revision).branding
    except IssuerNotConfigured:  # this host cannot sign now; the page is still served
        return load_branding(session())


@bp.get("/verify/<public_id>")
@limiter.limit(config_limit("LMS_VERIFY_RATE_LIMIT"))
def verify_page(public_id: str) -> Response:
    wants_json = request.accept_mimetypes.best == "application/json"
    certificate = certificate_record(session(), public_id)
    if certificate is None:
        if wants_json:
            response = jsonify(error="not found", message=NOT_FOUND)
            response.status_code = 404
            response.vary.add("Accept")
            return response
        # Rare and not cached: the branding is read here rather than building the documents.
        page = render_template(
            "lms/awards/verify_unknown.html", public_id=public_id, branding=load_branding(session())
        )
        response = make_response(page, 404)
        response.vary.add("Accept")
        return response
    if certificate.status_index is None:  # signed on first use: the page shows the object
        certificate = get_certificate(session(), public_id)
    checked_at = now()
    result = ops.verification_of(certificate, checked_at)
    if wants_json:
        response = jsonify(
            id=certificate.public_id,
            verdict=result.verdict,
            status=result.verdict,
            issued_at=certificate.issued_at.isoformat() + "Z",
            revoked_at=certificate.revoked_at.isoformat() + "Z" if certificate.revoked_at else None,
            revocation_reason=certificate.revocation_reason,
            facts=certificate.facts,
            checks=[{"name": s.name, "passed": s.ok, "detail": s.detail} for s in result.steps],
            credential=external_url("lms.awards.credential_document", public_id=public_id),
        )
    else:
        facts = CertificateFacts.from_json(certificate.facts)
        response = make_response(
            render_template(
                "lms/awards/verify.html",
                certificate=certificate,
                facts=facts,
                result=result,
                checked_at=checked_at,
                # written out only on the pages that show them (expired, not yet valid)
                valid_from=_credential_time(certificate.credential, "validFrom"),
                valid_until=_credential_time(certificate.credential, "validUntil"),
                signature_matches=all(
                    result.step(name).ok for name in ("record", "issuer key", "signature")
                ),
                # cached with the documents the checks just used: no statement of its own
                branding=_branding_of_documents(getattr(certificate, "issuer_revision", None)),
                # only a revoked certificate can have been replaced: no lookup for the others
                replacement=ops.replacement_of(certificate) if certificate.revoked_at else None,
            )
        )
    response.vary.add("Accept")  # caches must keep the HTML and the JSON apart
    return response


def _credential_time(credential: dict | None, name: str) -> datetime | None:
    """A credential's date (as this site signs them: "2027-03-03T13:05:00Z") as naive UTC."""
    try:
        return datetime.strptime((credential or {})[name], "%Y-%m-%dT%H:%M:%SZ")
    except (KeyError, TypeError, ValueError):
        return None


@bp.get("/branding/logo/<int:media_id>/<filename>")
def branding_logo(media_id: int, filename: str) -> Response:
    """The issuer's logo, as certificate pages show it (public: it is on every certificate).
    A new logo is a new media id, so a stored one can be cached for long. Read as stored,
    not through the signed documents' cache: serving a picture never needs the signing key."""
    current = load_branding(session())
    if current.logo is None or (media_id, filename) != (
        current.logo_media_id,
        current.logo_filename,
    ):
        abort(404, "There is no such file.")
    return stored_file_response(
        current.logo,
        mimetype=current.logo_type,
        filename=current.logo_filename,
        etag=f"logo-{media_id}",
        max_age=86400,
    )


_COLOUR = re.compile(r"[0-9a-f]{6}")


@bp.get("/branding/accent-<colour>.css")
def accent_stylesheet(colour: str) -> Response:
    """The certificate pages' brand colour as a CSS custom property (the CSP allows no inline
    style). Named by the colour itself, so it needs no lookup and caches for good."""
    if not _COLOUR.fullmatch(colour):
        abort(404)
    response = make_response(f":root {{ --cert-accent: #{colour}; }}\n")
    response.mimetype = "text/css"
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


# The revocation pages register their routes on this blueprint.
from lms.awards import revocation  # noqa: E402, F401
