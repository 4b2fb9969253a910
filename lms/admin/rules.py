"""Requirement rules: list every rule with its versions, and add a version (a new row with a
later effective date) or a new rule. A version is never edited or deleted: cycles already
computed under it must stay as they were."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.admin.access import admin_required
from lms.admin.blueprint import bp
from lms.auth import current_learner
from lms.catalogue.models import Certification
from lms.clock import now
from lms.db import session
from lms.requirements.models import RequirementRule
from lms.requirements.operations import (
    CAP_PER,
    CAP_SOURCES,
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


def _form_page(
    code: str | None,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    versions = versions_of(code) if code else []
    page = render_template(
        "lms/admin/rule.html",
        code=code,
        versions=versions,
        newest=versions[-1] if versions else None,
        values=values,
        errors=errors or {},
        rows=row_count(values),
        certifications=list(session().scalars(select(Certification).order_by(Certification.code))),
        sources=CAP_SOURCES,
        pers=CAP_PER,
        today=now().date(),
    )
    return make_response(page, status)


@bp.get("/rules/new")
@admin_required
def new_rule() -> Response:
    code = _code_argument()
    newest = versions_of(code)[-1] if code else None
    return _form_page(code, form_values(newest))


@bp.post("/rules/new")
@admin_required
def add_rule() -> Response:
    code = _code_argument()
    sent = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        row = add_rule_version(sent, code=code, admin_id=current_learner.id, now=now())
    except RuleRefused as exc:
        session().rollback()
        return _form_page(code, sent, exc.errors, 400)
    flash(
        f"Added {row.code}: {row.name}, in effect from {row.effective_from.isoformat()}.",
        "success",
    )
    return redirect(url_for(".rules"))
