"""The learner's external credit claims: the list, the claim form and their own evidence."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from lms.auth import current_learner, login_required
from lms.claims import fields
from lms.claims.models import CreditClaim
from lms.claims.operations import (
    EVIDENCE_ACCEPT,
    EVIDENCE_DESCRIPTION,
    KINDS,
    STATUS_LABELS,
    ClaimRefused,
    check_claim_form,
    check_evidence,
    claims_of,
    get_claim,
    max_evidence_bytes,
    submit_claim,
)
from lms.clock import now
from lms.rendering import describe_size
from lms.served_files import stored_file_response
from lms.studio.media import read_upload

bp = Blueprint("claims", __name__)

#: Room for the form's other fields on top of the file in a request's size.
FORM_ALLOWANCE_BYTES = 64 * 1024


def evidence_response(claim: CreditClaim) -> Response:
    """The claim's evidence (see :mod:`lms.served_files`), never cached by a proxy."""
    response = stored_file_response(
        claim.evidence_data,
        mimetype=claim.evidence_type,
        filename=claim.evidence_filename,
        etag=claim.evidence_sha256,
        max_age=0,
    )
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response


def _form_page(values: dict[str, str], errors: dict[str, str], status: int = 200) -> Response:
    limit = max_evidence_bytes(current_app.config)
    page = render_template(
        "lms/claims/new.html",
        values=values,
        errors=errors,
        kinds=KINDS,
        units=fields.credit_units(),
        categories=fields.CATEGORIES,
        accept=EVIDENCE_ACCEPT,
        allowed_types=EVIDENCE_DESCRIPTION,
        max_upload=describe_size(limit),
        today=now().date(),
    )
    return make_response(page, status)


@bp.get("/my/claims")
@login_required
def index() -> str:
    return render_template(
        "lms/claims/index.html",
        claims=claims_of(current_learner.id),
        labels=STATUS_LABELS,
        kinds=KINDS,
        categories=fields.CATEGORIES,
    )


@bp.get("/my/claims/new")
@login_required
def new() -> Response:
    return _form_page({"credit_unit": fields.credit_units()[0], "category": "general"}, {})


@bp.post("/my/claims/new")
@login_required
def submit() -> Response:
    limit = max_evidence_bytes(current_app.config)
    if (request.content_length or 0) > limit + FORM_ALLOWANCE_BYTES:
        abort(413, f"The evidence file is larger than the limit of {describe_size(limit)}.")
    entered = {name: value for name, value in request.form.items() if name != "csrf_token"}
    checked = check_claim_form(request.form, now().date())
    errors = dict(checked.errors)
    status = 400
    upload: FileStorage | None = request.files.get("evidence")
    evidence: tuple[str, str, bytes] | None = None
    if upload is None or not upload.filename:
        errors["evidence"] = "Attach the certificate or attendance record as evidence."
    else:
        data = read_upload(upload, limit)
        try:
            name, content_type = check_evidence(upload.filename, data, limit)
            evidence = (name, content_type, data)
        except ClaimRefused as exc:
            errors["evidence"] = str(exc)
            status = exc.status
    if errors:
        if evidence is not None:
            errors["evidence"] = "Choose the file again: it is sent only with a complete form."
        return _form_page(entered, errors, status)
    assert evidence is not None
    name, content_type, data = evidence
    claim = submit_claim(
        current_learner.id,
        checked.values,
        filename=name,
        content_type=content_type,
        data=data,
        now=now(),
    )
    flash(f"Your claim for “{claim.title}” was sent; a reviewer will look at it.", "success")
    return redirect(url_for(".index"))


@bp.get("/my/claims/<int:claim_id>/evidence")
@login_required
def evidence(claim_id: int) -> Response:
    """The learner's own evidence (administrators may open anyone's); 404 for others, the
    same as a missing claim, so ids tell nothing."""
    claim = get_claim(claim_id)
    if claim is None or not (
        claim.user_id == current_learner.id or current_learner.has_role("admin")
    ):
        abort(404, "There is no claim of yours at this address.")
    return evidence_response(claim)
