"""The settings page (/my/settings) and the browser's one-time report of its time zone."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from lms.auth import current_learner, login_required
from lms.profile.forms import SettingsForm
from lms.profile.operations import SettingRefused, adopt_browser_zone, set_time_zone
from lms.times import viewer_zone

bp = Blueprint("profile", __name__)


@bp.route("/my/settings", methods=["GET", "POST"])
@login_required
def settings() -> Response:
    form = SettingsForm()
    if request.method == "GET":
        form.time_zone.data = current_learner.time_zone or viewer_zone().key
    elif form.validate_on_submit():
        try:
            saved = set_time_zone(current_learner.id, form.time_zone.data)
        except SettingRefused as exc:
            form.time_zone.errors = [str(exc)]
        else:
            flash(f"Saved: times are now shown in {saved.replace('_', ' ')}.", "success")
            return redirect(url_for(".settings"))
    status = 400 if form.errors else 200
    page = render_template("lms/profile/settings.html", form=form, chosen=current_learner.time_zone)
    return make_response(page, status)


@bp.post("/my/settings/browser-time-zone")
@login_required
def browser_time_zone() -> Response:
    """Sent once by time_zone.js while the account has no zone: adopted only then."""
    saved = adopt_browser_zone(current_learner.id, request.form.get("time_zone", "")[:64])
    return make_response("", 204 if saved else 409)
