"""The Notifications pages: my notifications (newest first, paged), mark read, and e-mail
preferences, signed in or through the signed link in every notification e-mail."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request
from werkzeug.wrappers import Response

from lms.accounts.forms import ActionForm
from lms.accounts.models import User
from lms.auth import current_learner, login_required
from lms.clock import now
from lms.db import session
from lms.notifications.forms import field_name, preferences_form
from lms.notifications.kinds import KINDS
from lms.notifications.operations import (
    badge_text,
    email_preferences,
    mark_all_read,
    mark_read,
    notifications_page,
    own_notification,
    set_email_preferences,
)
from lms.notifications.tokens import read_preferences_token
from lms.pagination import page_or_404, requested_page
from lms.redirects import safe_next
from lms.urls import page_url

bp = Blueprint("notifications", __name__)

PAGE_SIZE = 20


def unread_badge() -> str:
    """The header's count of unread notifications: read from the signed-in person's row,
    already loaded for the sign-in, so the badge costs no statement."""
    return badge_text(current_learner.unread_notifications) if current_learner else ""


@bp.get("/my/notifications")
@login_required
def index() -> str:
    number = requested_page()
    items, total = notifications_page(current_learner.id, number, PAGE_SIZE)
    return render_template(
        "lms/notifications/index.html",
        page=page_or_404(items, number, PAGE_SIZE, total),
        kinds=KINDS,
        form=ActionForm(),
        script_root=request.script_root,
    )


@bp.get("/my/notifications/<int:notification_id>")
@login_required
def show(notification_id: int) -> str:
    notification = own_notification(current_learner.id, notification_id)
    if notification is None:
        abort(404, "There is no such notification among yours.")
    return render_template(
        "lms/notifications/show.html",
        notification=notification,
        kinds=KINDS,
        form=ActionForm(),
        script_root=request.script_root,
    )


@bp.post("/my/notifications/<int:notification_id>/read")
@login_required
def read(notification_id: int) -> Response:
    notification = own_notification(current_learner.id, notification_id)
    if notification is None:
        abort(404, "There is no such notification among yours.")
    mark_read(current_learner.id, notification.id, now())
    back = safe_next(request.form.get("next")) or page_url("lms.notifications.index")
    return redirect(back)


@bp.post("/my/notifications/read-all")
@login_required
def read_all() -> Response:
    marked = mark_all_read(current_learner.id, now())
    flash(
        f"Marked {marked} notification{'s' if marked != 1 else ''} read."
        if marked
        else "Nothing was unread.",
        "success",
    )
    return redirect(page_url("lms.notifications.index"))


def _preferences_page(user_id: int, action: str, signed_in: bool) -> Response:
    form = preferences_form(email_preferences(user_id))
    status = 200
    if request.method == "POST":
        if form.validate():
            set_email_preferences(user_id, form.chosen())
            flash("Your e-mail preferences are saved.", "success")
            return redirect(action)
        status = 400
    page = render_template(
        "lms/notifications/preferences.html",
        form=form,
        kinds=KINDS,
        field_name=field_name,
        action=action,
        signed_in=signed_in,
    )
    return make_response(page, status)


@bp.route("/my/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences() -> Response:
    return _preferences_page(
        current_learner.id, page_url("lms.notifications.preferences"), signed_in=True
    )


@bp.route("/notifications/preferences/<token>", methods=["GET", "POST"])
def preferences_by_link(token: str) -> Response:
    """From an e-mail, without signing in: the signed token names the person. Opening the
    link changes nothing (mail scanners open links); saving the form does."""
    user_id = read_preferences_token(token)
    if user_id is None or session().get(User, user_id) is None:
        abort(
            404,
            "This link has expired or is not valid. Sign in and open Notifications, then "
            "E-mail preferences.",
        )
    return _preferences_page(
        user_id,
        page_url("lms.notifications.preferences_by_link", token=token),
        signed_in=False,
    )
