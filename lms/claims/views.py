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
from lms.claims.forms import ClaimForm
from lms.claims.models import CreditClaim, PendingEvidence
from lms.claims.operations import (
    EVIDENCE_DESCRIPTION,
    KINDS,
    STATUS_LABELS,
    ClaimRefused,
    check_claim_form,
    check_evidence,
    claimable_certifications,
    claims_of,
    get_claim,
    keep_pending_evidence,
    max_evidence_bytes,
    pending_evidence,
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


def _form_page(form: ClaimForm, attached: str = "", status: int = 200) -> Response:
    """The claim form; ``attached`` names evidence kept from an earlier send."""
    limit = max_evidence_bytes(current_app.config)
    page = render_template(
        "lms/claims/new.html",
        form=form,
        attached=attached,
        evidence_hint=f"{EVIDENCE_DESCRIPTION}, at most {describe_size(limit)}.",
        today=now().date(),
    )
    return make_response(page, status)


def _claim_form() -> ClaimForm:
    form = ClaimForm()
    form.offer(claimable_certifications(current_learner.id), fields.credit_units())
    return form


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
    form = _claim_form()
    form.credit_unit.data = fields.credit_units()[0]
    form.category.data = "general"
    if len(form.held) == 1:  # one certification held: the claim is almost surely for it
        form.certification_id.data = next(iter(form.held))
    return _form_page(form)


def _evidence_sent(
    form: ClaimForm, limit: int
) -> tuple[tuple[str, str, bytes] | None, PendingEvidence | None, str | None, int]:
    """The evidence of this send: a new file, else the one kept from an earlier send.
    Returns (name, type, bytes) or None, the kept row used, the error and its status."""
    upload: FileStorage | None = request.files.get("evidence")
    if upload is not None and upload.filename:
        data = read_upload(upload, limit)
        try:
            name, content_type = check_evidence(upload.filename, data, limit)
        except ClaimRefused as exc:
            return None, None, str(exc), exc.status
        return (name, content_type, data), None, None, 400
    kept = pending_evidence(current_learner.id, form.evidence_token.data or "", now())
    if kept is not None:
        return (kept.filename, kept.content_type, kept.data), kept, None, 400
    return None, None, "Attach the certificate or attendance record as evidence.", 400


@bp.post("/my/claims/new")
@login_required
def submit() -> Response:
    limit = max_evidence_bytes(current_app.config)
    if (request.content_length or 0) > limit + FORM_ALLOWANCE_BYTES:
        abort(413, f"The evidence file is larger than the limit of {describe_size(limit)}.")
    form = _claim_form()
    form.validate()
    checked = check_claim_form(form.data, now().date(), form.held)
    form.mark(checked.errors)
    evidence, kept, evidence_error, status = _evidence_sent(form, limit)
    if evidence_error:
        form.mark({"evidence": evidence_error})
    if form.has_errors:
        attached = ""
        if evidence is not None:
            # Keep the file, so the learner corrects the fields without choosing it again.
            name, content_type, data = evidence
            if kept is None:
                form.evidence_token.data = keep_pending_evidence(
                    current_learner.id, name, content_type, data, now()
                )
            attached = name
        else:
            form.evidence_token.data = ""
        return _form_page(form, attached, status)
    assert evidence is not None
    name, content_type, data = evidence
    try:
        claim = submit_claim(
            current_learner.id,
            checked.values,
            filename=name,
            content_type=content_type,
            data=data,
            now=now(),
            pending=kept,
        )
    except ClaimRefused as exc:
        abort(exc.status, str(exc))
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
