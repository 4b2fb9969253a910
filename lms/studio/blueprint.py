"""The studio's blueprint. Each studio module registers its own routes on it (one job per
file); ``lms.studio.routes`` imports them all."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("studio", __name__, url_prefix="/studio")
