"""Admin pages (being written)."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from werkzeug.wrappers import Response

from lms.admin.access import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@admin_required
def index() -> Response:
    return redirect(url_for("lms.studio.index"))
