"""What a deployment of many hosts must not leave to each host: the app refuses to start
without it, and says which setting to set.

A host on a database server (PostgreSQL) is assumed to be one of several behind a load
balancer. There, a secret generated into one host's instance folder would break every
session and form moving between hosts, and mail written to one host's folder would be read by
nobody; so both must be set explicitly. SQLite (one host), testing and debug are exempt.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy.engine import Engine

#: Set by the standalone app when it made SECRET_KEY up (kept in its instance folder).
GENERATED_SECRET_FLAG = "LMS_SECRET_KEY_GENERATED"  # noqa: S105 (a setting name)


def is_single_host(app: Flask, engine: Engine) -> bool:
    """True when only one host can be serving: an SQLite database, or testing and debug."""
    return app.testing or app.debug or engine.url.get_backend_name() == "sqlite"


def require_shared_settings(app: Flask, engine: Engine) -> None:
    """Raise RuntimeError (the app does not start) when a setting every host must share was
    left to each host's own default."""
    if is_single_host(app, engine):
        return
    if app.config.get(GENERATED_SECRET_FLAG):
        raise RuntimeError(
            "Refusing to start: LMS_SECRET_KEY is not set. With a database server every host "
            "must sign sessions and forms with the same key; a key generated in this host's "
            "instance folder would sign out everyone whose next request reaches another host. "
            "Set LMS_SECRET_KEY to the same long random value on every host, e.g. the output "
            "of: python -c 'import secrets; print(secrets.token_hex(32))'."
        )
    if app.config.get("LMS_MAIL_BACKEND") is None:
        raise RuntimeError(
            "Refusing to start: LMS_MAIL_BACKEND is not set. With a database server set it "
            "to smtp (with the LMS_SMTP_* settings); the file backend writes each e-mail to "
            "the folder of whichever host sent it, so choose it only explicitly "
            "(LMS_MAIL_BACKEND=file, with LMS_MAIL_DIR on a shared folder)."
        )
