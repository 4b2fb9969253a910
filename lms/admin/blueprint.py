"""The admin pages' blueprint. Each admin module registers its own routes on it (one job per
file); ``lms.admin.views`` imports them all."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
