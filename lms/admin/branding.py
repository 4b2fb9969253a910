"""The certificate branding page: the issuer's logo, name, signer and accent colour, as
certificate pages and PDFs show them."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from lms.admin.access import admin_required
from lms.admin.blueprint import bp
from lms.admin.branding_form import BrandingForm
from lms.auth import current_learner
from lms.awards.branding import (
    BrandingValues,
    check_logo,
    load_branding,
    logo_limit,
    save_branding,
)
from lms.clock import now
from lms.db import session
from lms.rendering import describe_size
from lms.studio.media import MediaRefused, read_upload

#: Room for the form's text fields around the logo in a request's body.
FORM_ALLOWANCE_BYTES = 64 * 1024


def _page(form: BrandingForm, *, logo_error: str = "", status: int = 200) -> Response:
    current = load_branding(session())
    page = render_template(
        "lms/admin/branding.html",
        form=form,
        current=current,
        logo_error=logo_error,
        logo_limit=describe_size(logo_limit()),
    )
    return make_response(page, status)


@bp.route("/branding", methods=["GET", "POST"])
@admin_required
def branding() -> Response:
    form = BrandingForm()
    if request.method == "GET":
        current = load_branding(session())
        form.organisation_name.data = current.organisation_name
        form.signer_name.data = current.signer_name
        form.signer_title.data = current.signer_title
        form.accent_colour.data = current.accent_colour
        form.contact.data = current.contact
        return _page(form)

    limit = logo_limit()
    if (request.content_length or 0) > limit + FORM_ALLOWANCE_BYTES:
        abort(
            413, f"The logo is larger than the limit of {describe_size(limit)}. Nothing was saved."
        )
    valid = form.validate()
    upload: FileStorage | None = request.files.get("logo")
    logo: tuple[str, str, bytes] | None = None
    logo_error, status = "", 400
    if upload is not None and upload.filename:
        data = read_upload(upload, limit)
        try:
            name, content_type = check_logo(upload.filename, data)
            logo = (name, content_type, data)
        except MediaRefused as exc:
            logo_error, status = str(exc), exc.status
    if not valid or logo_error:
        if logo is not None:  # the file was fine, but the browser does not send it twice
            logo_error = "The logo was not saved: choose the file again."
        return _page(form, logo_error=logo_error, status=status)

    db = session()
    try:
        save_branding(
            db,
            BrandingValues(
                organisation_name=form.organisation_name.data,
                signer_name=form.signer_name.data or "",
                signer_title=form.signer_title.data or "",
                accent_colour=form.accent_colour.data,
                contact=form.contact.data or "",
            ),
            logo=logo,
            remove_logo=bool(form.remove_logo.data),
            by_user_id=current_learner.id,
            now=now(),
        )
        db.commit()
    except Exception:
        db.rollback()
        raise
    flash("Saved. Certificate pages and PDFs show the new branding now.", "success")
    return redirect(url_for(".branding"))
