"""The ``LMS`` Flask extension (shaped like Flask-Login: ``init_app``, ``app.extensions``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, g, render_template, request
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from werkzeug.exceptions import RequestEntityTooLarge, ServiceUnavailable
from wtforms.validators import ValidationError

from lms.auth import OwnAccounts, UserAdapter, current_learner
from lms.clock import system_clock
from lms.db import SAFE_METHODS, configure_sqlite
from lms.deployment import require_shared_settings
from lms.rendering import describe_size, plain_text
from lms.secret_key import require_strong_secret_key
from lms.settings import DEFAULTS
from lms.urls import page_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
#: Bytes a request body may carry beside its largest upload (the form's other fields).
FORM_ALLOWANCE = 1024 * 1024
#: Sent with every LMS response (a host may overwrite them in its own after_request).
#: The pages need no script and no inline style; module images may come from https sites.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


@dataclass
class LMSState:
    """What the LMS keeps per application, in ``app.extensions["lms"]``."""

    db: SQLAlchemy
    user_adapter: UserAdapter
    #: Returns the current naive-UTC time; tests replace it to move time.
    clock: Callable[[], datetime] = system_clock
    #: The issuer's public documents this process built, by (site, revision): see
    #: ``lms.awards.published.published``. Per application, as each has its own database.
    published: dict[tuple, Any] = field(default_factory=dict)
    #: Links the pages built, for ``lms.urls.page_url``.
    page_urls: dict[tuple, str] = field(default_factory=dict)


class LMS:
    """Mount the LMS on a Flask application.

    ``db`` is the host's Flask-SQLAlchemy instance when it has one (the LMS then shares its
    engine and session); without it the LMS creates its own. ``user_adapter`` lets a host keep
    its own accounts (see ``lms.auth.FlaskLoginHostAdapter``).
    """

    def __init__(
        self,
        app: Flask | None = None,
        db: SQLAlchemy | None = None,
        user_adapter: UserAdapter | None = None,
    ) -> None:
        self.db = db
        self.user_adapter = user_adapter
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        for key, value in DEFAULTS.items():
            app.config.setdefault(key, value)
        require_strong_secret_key(app)
        import lms.models  # noqa: F401  (every table must be mapped before first use)

        # The host's Flask-SQLAlchemy instance if it has one (shared engine and session).
        db = self.db or app.extensions.get("sqlalchemy") or SQLAlchemy()
        if app.extensions.get("sqlalchemy") is not db:
            db.init_app(app)
        with app.app_context():
            for engine in db.engines.values():
                configure_sqlite(engine, app.config["LMS_SQLITE_BUSY_TIMEOUT_MS"])
            require_shared_settings(app, db.engine)  # many hosts: nothing left to each one

        adapter = self.user_adapter or OwnAccounts()
        if adapter.manages_accounts:
            _init_login_manager(app)
        app.extensions["lms"] = LMSState(db=db, user_adapter=adapter)
        from lms.limits import init_limits

        init_limits(app)
        app.register_blueprint(
            _build_blueprint(adapter), url_prefix=app.config["LMS_URL_PREFIX"] or None
        )
        from lms.cli import lms_group

        app.cli.add_command(lms_group)


def _init_login_manager(app: Flask) -> None:
    from lms.accounts.models import User
    from lms.accounts.operations import user_for_session
    from lms.clock import now

    if hasattr(app, "login_manager"):
        raise RuntimeError(
            "This app already has a Flask-Login LoginManager: pass "
            "LMS(user_adapter=FlaskLoginHostAdapter(...)) to keep the host's accounts."
        )
    manager = LoginManager(app)
    manager.login_view = "lms.accounts.login"
    manager.login_message = "Please sign in to continue."

    @manager.user_loader
    def load_user(session_id: str) -> User | None:
        # "<user id>:<sign-in token>": valid only while that sign-in is open on the server.
        user_id, _, token = session_id.partition(":")
        if not user_id.isdigit():
            return None
        max_age = timedelta(hours=current_app.config["LMS_SESSION_MAX_AGE_HOURS"])
        return user_for_session(int(user_id), token, now(), max_age)


def _build_blueprint(adapter: UserAdapter) -> Blueprint:
    from lms.accounts.views import bp as accounts_bp
    from lms.admin.views import bp as admin_bp
    from lms.awards.views import bp as awards_bp
    from lms.catalogue.views import bp as catalogue_bp
    from lms.claims.views import bp as claims_bp
    from lms.credits.views import bp as credits_bp
    from lms.dashboard import bp as dashboard_bp
    from lms.events.views import bp as events_bp
    from lms.health import bp as health_bp
    from lms.holdings.views import bp as holdings_bp
    from lms.learning.views import bp as learning_bp
    from lms.notifications.views import bp as notifications_bp
    from lms.notifications.views import unread_badge
    from lms.profile.views import bp as profile_bp
    from lms.rendering import format_number, render_markdown
    from lms.requirements.views import bp as requirements_bp
    from lms.studio.media import media_bp
    from lms.studio.routes import bp as studio_bp
    from lms.times import lms_date, lms_datetime, lms_time

    bp = Blueprint(
        "lms",
        __name__,
        template_folder="templates",
        static_folder="static",
        static_url_path="/_static",
    )
    for child in (
        health_bp,
        catalogue_bp,
        learning_bp,
        dashboard_bp,
        credits_bp,
        awards_bp,
        studio_bp,
        admin_bp,
        holdings_bp,
        media_bp,
        claims_bp,
        events_bp,
        requirements_bp,
        profile_bp,
        notifications_bp,
    ):
        bp.register_blueprint(child)
    if adapter.manages_accounts:
        bp.register_blueprint(accounts_bp)

    @bp.before_request
    def limit_body_size() -> None:
        # Before anything reads the form: the body may hold the largest upload a view accepts
        # and the fields around it; each view then checks its own file against its own limit.
        config = current_app.config
        largest = max(int(config["LMS_MEDIA_MAX_BYTES"]), int(config["LMS_EVIDENCE_MAX_BYTES"]))
        request.max_content_length = largest + FORM_ALLOWANCE

    @bp.before_request
    def refuse_nul() -> None:
        # PostgreSQL cannot store or even compare NUL; refuse it before anything reads it.
        pairs = [*request.args.items(multi=True), *request.form.items(multi=True)]
        if "\x00" in request.path or any("\x00" in k + v for k, v in pairs):
            abort(400, "The request contains a NUL character, which no field accepts.")

    @bp.before_request
    def check_csrf() -> None:
        # Every state-changing LMS route is covered here, including ones added later.
        if request.method in SAFE_METHODS:
            return
        token = request.form.get("csrf_token") or request.headers.get("X-CSRFToken")
        try:
            validate_csrf(token, time_limit=current_app.config["LMS_CSRF_TIME_LIMIT"])
        except ValidationError as exc:
            raise CSRFError(str(exc)) from exc
        g.csrf_valid = True  # Flask-WTF's forms then skip a second, stricter check

    @bp.context_processor
    def inject() -> dict[str, Any]:
        return {
            "current_learner": current_learner,
            "lms_manages_accounts": adapter.manages_accounts,
            "csrf_token": generate_csrf,
            "lms_unread_notifications": unread_badge,  # the header's count, read when shown
            # Shadows Flask's url_for in the LMS's pages only (a host's pages keep Flask's).
            "url_for": page_url,
        }

    bp.after_request(security_headers)

    bp.add_app_template_filter(render_markdown, "lms_markdown")
    bp.add_app_template_filter(plain_text, "lms_plain")  # Markdown as one line of words
    bp.add_app_template_filter(format_number, "lms_number")
    bp.add_app_template_filter(lms_datetime, "lms_datetime")
    bp.add_app_template_filter(lms_date, "lms_date")
    bp.add_app_template_filter(lms_time, "lms_time")
    for code in (400, 403, 404, 405, 409, 413, 429):
        bp.register_error_handler(code, render_error)
    bp.register_error_handler(CSRFError, render_error)

    from lms.awards.issuer import IssuerNotConfigured

    @bp.errorhandler(IssuerNotConfigured)
    def issuer_not_configured(error: IssuerNotConfigured) -> tuple[str, int]:
        # Refused before anything was written: the learner can retry once it is configured.
        current_app.logger.error("Certificates cannot be signed: %s", error)
        return render_error(ServiceUnavailable(f"Certificates cannot be issued yet: {error}."))

    return bp


def security_headers(response: Response) -> Response:
    """Add the security headers (the standalone app also adds them to its own error pages)."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if "Cache-Control" not in response.headers and current_learner:
        # Pages for a signed-in person stay out of shared caches, and out of the back button of
        # a shared computer once they sign out.
        response.headers["Cache-Control"] = "no-store"
    return response


ERROR_TITLES = {
    400: "That request could not be handled",
    403: "You do not have access to this page",
    404: "Not found",
    405: "Method not allowed",
    409: "That cannot be done now",
    413: "Upload too large",
    429: "Too many requests",
    503: "Not available yet",
}


def render_error(error: Any) -> tuple[str, int]:
    code = getattr(error, "code", 500) or 500
    if isinstance(error, CSRFError):
        message = (
            "This form was not sent from this site or has expired (CSRF check failed). "
            "Go back, reload the page and try again."
        )
    elif (
        isinstance(error, RequestEntityTooLarge)
        and error.description == RequestEntityTooLarge.description
        and request.max_content_length
    ):
        # The body was over the limit before any view read it. Werkzeug's own wording names
        # no limit; nothing of this request was kept.
        limit = describe_size(request.max_content_length - FORM_ALLOWANCE)
        message = f"The upload is too large: files up to {limit} are accepted. Nothing was saved."
    else:
        message = getattr(error, "description", "") or ""
    return (
        render_template(
            "lms/error.html", code=code, title=ERROR_TITLES.get(code, "Error"), message=message
        ),
        code,
    )
