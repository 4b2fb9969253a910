"""Requirement rules: list every rule with its versions, and add a version (a new row with a
later effective date) or a new rule. A version is never edited or deleted: cycles already
computed under it must stay as they were."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.admin.access import admin_required
from lms.admin.blueprint import bp
from lms.admin.rule_form import RuleForm, rule_form
from lms.auth import current_learner
from lms.catalogue.models import Certification
from lms.clock import now
from lms.db import session
from lms.requirements.models import RequirementRule
from lms.requirements.operations import (
    RULE_CODE_RE,
    RuleRefused,
    add_rule_version,
    form_values,
    row_count,
    versions_of,
)


@bp.get("/rules")
@admin_required
def rules() -> str:
    today = now().date()
    grouped: dict[str, list[RequirementRule]] = {}
    for row in session().scalars(
        select(RequirementRule).order_by(RequirementRule.code, RequirementRule.effective_from)
    ):
        grouped.setdefault(row.code, []).append(row)
    in_force = {}
    for code, versions in grouped.items():
        started = [v for v in versions if v.effective_from <= today]
        in_force[code] = started[-1].id if started else None
    return render_template("lms/admin/rules.html", grouped=grouped, in_force=in_force, today=today)


def _code_argument() -> str | None:
    """The rule a new version is for (?code=...), or None for a new rule; 404 if unknown."""
    code = request.args.get("code", "").strip()
    if not code:
        return None
    if not RULE_CODE_RE.fullmatch(code) or not versions_of(code):
        abort(404, "There is no such rule.")
    return code


def _certification_labels() -> dict[str, str]:
    rows = session().scalars(select(Certification).order_by(Certification.code))
    return {c.code: f"{c.code}: {c.name}" for c in rows}


def _form_page(
    code: str | None,
    form: RuleForm,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    versions = versions_of(code) if code else []
    form.mark(errors or {})
    page = render_template(
        "lms/admin/rule.html",
        code=code,
        versions=versions,
        newest=versions[-1] if versions else None,
        form=form,
        errors=errors or {},
        rows=form.rows,
        certifications=list(session().scalars(select(Certification).order_by(Certification.code))),
        today=now().date(),
    )
    return make_response(page, status)


@bp.get("/rules/new")
@admin_required
def new_rule() -> Response:
    code = _code_argument()
    newest = versions_of(code)[-1] if code else None
    values = form_values(newest)
    form = rule_form(_certification_labels(), row_count(values), formdata=None, data=values)
    return _form_page(code, form)


@bp.post("/rules/new")
@admin_required
def add_rule() -> Response:
    code = _code_argument()
    # A certification sent that does not exist (any more) is named by the service's check.
    labels = _certification_labels()
    sent_codes = [
        k.removeprefix("certification-") for k in request.form if k[:14] == "certification-"
    ]
    labels.update({c: c for c in sent_codes[:20] if c not in labels})
    form = rule_form(labels, row_count(request.form))
    form.validate()
    try:
        row = add_rule_version(form.sent(), code=code, admin_id=current_learner.id, now=now())
    except RuleRefused as exc:
        session().rollback()
        return _form_page(code, form, exc.errors, 400)
    flash(
        f"Added {row.code}: {row.name}, in effect from {row.effective_from.isoformat()}.",
        "success",
    )
    return redirect(url_for(".rules"))
