"""The standalone application (``wsgi.py`` and the ``lms`` command build it)."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, render_template
from flask_migrate import Migrate
from werkzeug.middleware.proxy_fix import ProxyFix

from lms.extension import LMS, MIGRATIONS_DIR
from lms.settings import DEFAULTS


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the instance folder
    (a single host only: ``lms.deployment`` refuses it with a database server)."""
    if os.environ.get("LMS_SECRET_KEY"):
        return os.environ["LMS_SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def sqlalchemy_url(url: str) -> str:
    """Accept the URL spellings hosting platforms use; PostgreSQL always goes through psycopg 3."""
    if url.startswith("postgres://"):  # Heroku-style URLs name the old dialect
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _settings_from_environment(app: Flask) -> None:
    """LMS_* settings from environment variables. Numbers and booleans are parsed as JSON;
    everything else (passwords included) stays a string."""
    for key, default in DEFAULTS.items():
        if key not in os.environ or key == "LMS_DATABASE_URL":
            continue
        raw = os.environ[key]
        app.config[key] = json.loads(raw) if isinstance(default, bool | int) else raw
    if os.environ.get("SECRET_KEY_FALLBACKS"):
        app.config["SECRET_KEY_FALLBACKS"] = os.environ["SECRET_KEY_FALLBACKS"].split(",")


def create_app(
    test_config: dict[str, Any] | None = None, instance_path: str | None = None
) -> Flask:
    """Build the standalone app. ``test_config`` replaces the instance config and environment."""
    instance_path = instance_path or os.environ.get("LMS_INSTANCE_PATH")
    app = Flask("lms", instance_relative_config=True, instance_path=instance_path)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        SECRET_KEY=_secret_key(instance),
        LMS_DATABASE_URL=os.environ.get("LMS_DATABASE_URL") or os.environ.get("DATABASE_URL"),
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        _settings_from_environment(app)
    else:
        app.config.from_mapping(test_config)
    # Still the key made up in the instance folder (nothing in the environment or config.py
    # replaced it): refused with a database server (lms.deployment).
    app.config.setdefault(
        "LMS_SECRET_KEY_GENERATED",
        not os.environ.get("LMS_SECRET_KEY") and app.config["SECRET_KEY"] == _secret_key(instance),
    )
    if str(app.config.get("LMS_BASE_URL") or "").startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True  # served over HTTPS: never send it in clear
    app.config.setdefault(
        "SQLALCHEMY_DATABASE_URI",
        sqlalchemy_url(app.config["LMS_DATABASE_URL"] or f"sqlite:///{instance / 'lms.sqlite3'}"),
    )
    proxies = int(app.config.get("LMS_TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies
        )

    LMS(app)
    from lms.cli import COMMANDS

    for command in COMMANDS:
        app.cli.add_command(command)
    app.cli.commands.pop("lms", None)  # a host's `flask lms ...` group; here they are top level
    Migrate(app, app.extensions["lms"].db, directory=str(MIGRATIONS_DIR))

    # The standalone app owns the whole site, so LMS pages answer its errors too.
    from lms.extension import ERROR_TITLES, render_error, security_headers

    app.after_request(security_headers)

    for code in ERROR_TITLES:
        app.register_error_handler(code, render_error)

    @app.errorhandler(500)
    def server_error(_error: Exception) -> tuple[str, int]:
        return render_template(
            "lms/error.html",
            code=500,
            title="Something went wrong",
            message="The error is logged. Please try again in a moment.",
        ), 500

    return app
