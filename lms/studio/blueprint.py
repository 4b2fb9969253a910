"""The studio's blueprint. Each studio module registers its own routes on it (one job per
file); ``lms.studio.routes`` imports them all."""

from __future__ import annotations

from flask import Blueprint

from lms.rendering import plain_text

bp = Blueprint("studio", __name__, url_prefix="/studio")
# Question and module lists show Markdown as the words a reader sees, without its ``**``.
bp.add_app_template_filter(plain_text, "lms_plain")
