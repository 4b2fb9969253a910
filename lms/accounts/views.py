"""Sign-up, sign-in, sign-out and password reset pages (only when the LMS owns accounts)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from lms.accounts import operations
from lms.accounts.forms import (
    ActionForm,
    ChangePasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from lms.accounts.models import User
from lms.auth import login_required
from lms.clock import now
from lms.limits import config_limit, limiter
from lms.redirects import safe_next
from lms.urls import BaseUrlMissing, external_url, require_base_url

bp = Blueprint("accounts", __name__)


#: Where each role lands after signing in (without a ``next``): its own home.
HOME_BY_ROLE = {"admin": "lms.admin.approvals", "trainer": "lms.studio.index"}


def _after_login(user: User) -> str:
    home = HOME_BY_ROLE.get(user.role, "lms.dashboard.index")
    return safe_next(request.values.get("next")) or url_for(home)


def _sign_in(user: User) -> None:
    # A fresh cookie for the new sign-in: nothing from before it (or planted in it) carries
    # over, and a sign-in this browser had before ends on the server.
    if current_user.is_authenticated:
        operations.end_session(current_user.login_token, now(), "signed in again")
    session.clear()
    operations.open_session(user, now())
    login_user(user)


def _submitted_email() -> str:
    return "account:" + operations.normalize_email(request.form.get("email", ""))


def _failed_sign_in(response: Response) -> bool:
    return response.status_code == 401


def _signed_in_account() -> str:
    return "account-id:" + (current_user.get_id() or "anonymous").partition(":")[0]


def _wrong_current_password(response: Response) -> bool:
    return response.status_code == 400


_TRY_LATER = "Wait a few minutes before trying again"


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(
    config_limit("LMS_ACCOUNT_FORMS_CLIENT_LIMIT"),
    methods=["POST"],
    error_message=f"Too many sign-ups from your network. {_TRY_LATER}.",
)
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
        _sign_in(user)
        flash("Welcome! Your account is ready.", "success")
        return redirect(_after_login(user))
    status = 422 if form.is_submitted() else 200
    return render_template("lms/accounts/register.html", form=form), status


# Only failed sign-ins count. Per account from any address (a guesser rotating addresses, or
# X-Forwarded-For values, still hits it) and per client address across accounts.
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    config_limit("LMS_LOGIN_ACCOUNT_LIMIT"),
    key_func=_submitted_email,
    scope="login-account",
    methods=["POST"],
    deduct_when=_failed_sign_in,
    error_message=f"Too many failed sign-ins for this account. {_TRY_LATER}.",
)
@limiter.limit(
    config_limit("LMS_LOGIN_CLIENT_LIMIT"),
    scope="login-client",
    methods=["POST"],
    deduct_when=_failed_sign_in,
    error_message=f"Too many failed sign-ins from your network. {_TRY_LATER}.",
)
def login() -> str | Response | tuple[str, int]:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        user = operations.authenticate(form.email.data, form.password.data)
        if user is not None:
            _sign_in(user)
            return redirect(_after_login(user))
        form.password.errors.append("E-mail or password is wrong.")
        return render_template("lms/accounts/login.html", form=form), 401
    status = 422 if form.is_submitted() else 200
    return render_template("lms/accounts/login.html", form=form), status


@bp.post("/logout")
def logout() -> Response:
    ActionForm()  # the CSRF token was checked before this view ran
    if current_user.is_authenticated:
        operations.end_session(current_user.login_token, now())
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("lms.catalogue.index"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(
    config_limit("LMS_RESET_EMAIL_LIMIT"),
    key_func=_submitted_email,
    scope="reset-account",
    methods=["POST"],
    error_message=f"Several reset e-mails were sent to this address already. {_TRY_LATER}.",
)
@limiter.limit(
    config_limit("LMS_ACCOUNT_FORMS_CLIENT_LIMIT"),
    scope="reset-client",
    methods=["POST"],
    error_message=f"Too many reset requests from your network. {_TRY_LATER}.",
)
def reset_request() -> str | Response | tuple[str, int]:
    form = ResetRequestForm()
    if form.validate_on_submit():
        try:
            # Checked before the address is looked up, so the answer says nothing about it.
            require_base_url("Password reset e-mails")
        except BaseUrlMissing as exc:
            current_app.logger.error("%s", exc)
            form.email.errors.append(
                "Password reset by e-mail is not available on this site yet. "
                "Ask its administrator to set the site's address."
            )
            return render_template("lms/accounts/reset_request.html", form=form), 503
        # Queued in the outbox and sent at once; a mail server that is down now gets it on
        # the next delivery run, so the answer is the same whatever happens (no probing).
        operations.request_password_reset(
            form.email.data,
            lambda token: external_url("lms.accounts.reset_password", token=token),
            current_app.config["LMS_SITE_NAME"],
            now(),
        )
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
            operations.reset_password(token, form.password.data, now())
        except operations.AccountError:
            return render_template("lms/accounts/reset_invalid.html"), 400
        flash("Your password is changed. Sign in with the new one.", "success")
        return redirect(url_for("lms.accounts.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("lms/accounts/reset_password.html", form=form), status


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(
    config_limit("LMS_LOGIN_ACCOUNT_LIMIT"),
    key_func=_signed_in_account,
    scope="password-change",
    methods=["POST"],
    deduct_when=_wrong_current_password,
    error_message=f"Too many wrong current passwords. {_TRY_LATER}.",
)
def change_password() -> str | Response | tuple[str, int]:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            operations.change_password(
                current_user, form.current_password.data, form.password.data, now()
            )
        except operations.AccountError as exc:
            form.current_password.errors.append(str(exc))
            return render_template("lms/accounts/change_password.html", form=form), 400
        _sign_in(current_user._get_current_object())
        flash("Your password is changed. You were signed out everywhere else.", "success")
        return redirect(url_for("lms.dashboard.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("lms/accounts/change_password.html", form=form), status
