"""Sign-up, sign-in, sign-out and password reset pages (only when the LMS owns accounts)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from lms.accounts import operations
from lms.accounts.forms import (
    ActionForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from lms.clock import now
from lms.mail import MailError
from lms.redirects import safe_next
from lms.urls import external_url

bp = Blueprint("accounts", __name__)


def _after_login() -> str:
    return safe_next(request.values.get("next")) or url_for("lms.dashboard.index")


@bp.route("/register", methods=["GET", "POST"])
def register() -> str | Response | tuple[str, int]:
    if not current_app.config["LMS_ALLOW_REGISTRATION"]:
        abort(404)
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = operations.create_user(
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
                role="learner",
                now=now(),
            )
        except operations.AccountError as exc:
            form.email.errors.append(str(exc))
            return render_template("lms/accounts/register.html", form=form), 409
        login_user(user)
        flash("Welcome! Your account is ready.", "success")
        return redirect(_after_login())
    status = 422 if form.is_submitted() else 200
    return render_template("lms/accounts/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        user = operations.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            return redirect(_after_login())
        form.password.errors.append("E-mail or password is wrong.")
        return render_template("lms/accounts/login.html", form=form), 401
    status = 422 if form.is_submitted() else 200
    return render_template("lms/accounts/login.html", form=form), status


@bp.post("/logout")
def logout() -> Response:
    ActionForm()  # the CSRF token was checked before this view ran
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("lms.catalogue.index"))


@bp.route("/reset", methods=["GET", "POST"])
def reset_request() -> str | Response | tuple[str, int]:
    form = ResetRequestForm()
    if form.validate_on_submit():
        try:
            operations.request_password_reset(
                form.email.data,
                lambda token: external_url("lms.accounts.reset_password", token=token),
                current_app.config["LMS_SITE_NAME"],
            )
        except MailError:
            form.email.errors.append("We could not send the e-mail just now. Try again shortly.")
            return render_template("lms/accounts/reset_request.html", form=form), 503
        flash("If an account uses that e-mail, a reset link is on its way.", "info")
        return redirect(url_for("lms.accounts.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("lms/accounts/reset_request.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> str | Response | tuple[str, int]:
    if operations.user_for_reset_token(token) is None:
        return render_template("lms/accounts/reset_invalid.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            operations.reset_password(token, form.password.data)
        except operations.AccountError:
            return render_template("lms/accounts/reset_invalid.html"), 400
        flash("Your password is changed. Sign in with the new one.", "success")
        return redirect(url_for("lms.accounts.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("lms/accounts/reset_password.html", form=form), status
