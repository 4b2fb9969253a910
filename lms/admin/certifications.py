"""The certifications catalogue: list, create, edit, and delete one nothing uses."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from lms.admin.access import admin_required, get_or_404
from lms.admin.blueprint import bp
from lms.admin.certification_form import CertificationForm
from lms.admin.operations import (
    CERTIFICATION_FIELDS,
    AdminError,
    create_certification,
    delete_certification,
    parse_certification,
    update_certification,
)
from lms.catalogue.models import Certification, Holding, course_certification
from lms.db import session
from lms.rendering import format_number

#: A new certification's form starts from the common regime: 1 credit = 1 hour, half steps.
NEW_DEFAULTS = {
    "credit_unit": "CEC",
    "cycle_years": "3",
    "minutes_per_credit": "60",
    "credit_step": "0.5",
}


@bp.get("/certifications")
@admin_required
def certifications() -> str:
    db = session()
    courses = dict(
        db.execute(
            select(course_certification.c.certification_id, func.count()).group_by(
                course_certification.c.certification_id
            )
        ).all()
    )
    by_holding = select(Holding.certification_id, func.count()).group_by(Holding.certification_id)
    holders = dict(db.execute(by_holding).all())
    return render_template(
        "lms/admin/certifications.html",
        certifications=list(db.scalars(select(Certification).order_by(Certification.code))),
        courses=courses,
        holders=holders,
    )


def _values_of(certification: Certification) -> dict[str, str]:
    return {
        name: format_number(value) if name in ("credits_required", "credit_step") else str(value)
        for name in CERTIFICATION_FIELDS
        for value in [getattr(certification, name)]
    }


def _form_page(
    certification: Certification | None,
    form: CertificationForm,
    *,
    error: str = "",
    status: int = 200,
) -> Response:
    page = render_template(
        "lms/admin/certification.html", certification=certification, form=form, error=error
    )
    return make_response(page, status)


def _duplicate(code: str) -> str:
    return f"There is already a certification with the code {code}."


@bp.route("/certifications/new", methods=["GET", "POST"])
@admin_required
def new_certification() -> Response:
    if request.method == "GET":
        return _form_page(None, CertificationForm(data=NEW_DEFAULTS))
    form = CertificationForm()
    form.validate()
    values, errors = parse_certification(form.sent())
    if errors:
        form.mark(errors)
        return _form_page(None, form, status=400)
    try:
        certification = create_certification(values)
        session().commit()
    except AdminError as exc:
        session().rollback()
        form.mark({"code": str(exc)})
        return _form_page(None, form, status=400)
    except IntegrityError:  # another admin created the same code meanwhile
        session().rollback()
        form.mark({"code": _duplicate(values["code"])})
        return _form_page(None, form, status=400)
    flash(f"Added {certification.code}: {certification.name}.", "success")
    return redirect(url_for(".certifications"))


@bp.route("/certifications/<int:certification_id>", methods=["GET", "POST"])
@admin_required
def edit_certification(certification_id: int) -> Response:
    certification = get_or_404(Certification, certification_id)
    if request.method == "GET":
        return _form_page(certification, CertificationForm(data=_values_of(certification)))
    form = CertificationForm()
    form.validate()
    values, errors = parse_certification(form.sent())
    if errors:
        form.mark(errors)
        return _form_page(certification, form, status=400)
    try:
        update_certification(certification, values)
        session().commit()
    except (AdminError, IntegrityError) as exc:
        session().rollback()
        message = str(exc) if isinstance(exc, AdminError) else _duplicate(values["code"])
        form.mark({"code": message})
        return _form_page(certification, form, status=400)
    flash(f"Saved {certification.code}: {certification.name}.", "success")
    return redirect(url_for(".certifications"))


@bp.post("/certifications/<int:certification_id>/delete")
@admin_required
def delete(certification_id: int) -> Response:
    certification = get_or_404(Certification, certification_id)
    code = certification.code
    try:
        delete_certification(certification)
        session().commit()
    except (AdminError, IntegrityError) as exc:
        # In use (or became so meanwhile, which the foreign keys catch): it stays.
        session().rollback()
        message = str(exc) if isinstance(exc, AdminError) else f"{code} is in use."
        form = CertificationForm(data=_values_of(certification))
        return _form_page(certification, form, error=message, status=409)
    flash(f"Deleted {code}.", "success")
    return redirect(url_for(".certifications"))
