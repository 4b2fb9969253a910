"""The ``lms`` command: the standalone app's Flask CLI plus init, demo and create-user."""

from __future__ import annotations

import sys

import click
from alembic.util.exc import CommandError
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.exc import DatabaseError, SQLAlchemyError
from werkzeug.serving import make_server

from lms.accounts.models import ROLES
from lms.accounts.operations import AccountError, create_user
from lms.awards.cli import certificates_group, keys_group
from lms.awards.issuer import ensure_signing_key
from lms.backup import backup_command, database_error_message, restore_command
from lms.clock import now
from lms.credits.cli import ledger_group, verify_ledger_command
from lms.learning.cli import quizzes_group
from lms.migrate import upgrade_database
from lms.outbox.cli import outbox_group
from lms.reminders.cli import send_reminders_command


def _create_app():  # noqa: ANN202
    from lms.app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """CEC LMS: continuing-education courses, credits and certificates."""


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create the database, or upgrade it to the newest migration."""
    engine = current_app.extensions["lms"].db.engine
    where = engine.url.render_as_string(hide_password=True)
    try:
        upgrade_database(current_app._get_current_object())
    except CommandError as exc:
        hint = ""
        if "Can't locate revision" in str(exc):  # a revision only a newer LMS knows
            hint = (
                " It was written by a newer version of the LMS: run that version, or restore "
                "a backup this version made."
            )
        raise click.ClickException(f"{where} cannot be upgraded: {exc}.{hint}") from None
    except SQLAlchemyError as exc:
        raise click.ClickException(
            f"{where} cannot be opened: {database_error_message(exc)}"
        ) from None
    click.echo(f"Database ready: {where}")
    key = ensure_signing_key()
    click.echo(f"Certificates are signed with issuer key {key.key_id}.")


@click.command("demo")
@click.option(
    "--port", default=5000, show_default=True, help="Port on 127.0.0.1 (0: any free port)."
)
@click.option("--no-serve", is_flag=True, help="Only set up the database and demo data.")
@with_appcontext
def demo_command(port: int, no_serve: bool) -> None:
    """Set up the database and demo data, then serve the app on 127.0.0.1."""
    from lms.demo import seed_demo_certificates, seed_demo_data, seed_demo_events

    app = current_app._get_current_object()
    # Werkzeug explains a port in use itself and exits with status 1.
    server = None if no_serve else make_server("127.0.0.1", port, app, threaded=True)
    # Certificates carry the site's address for good: in the demo it is this server's.
    app.config["LMS_BASE_URL"] = app.config["LMS_BASE_URL"] or (
        f"http://127.0.0.1:{server.port if server else port}"
    )
    upgrade_database(app)
    accounts = seed_demo_data()
    seed_demo_certificates()
    seed_demo_events()
    click.echo("Demo accounts (e-mail / password):")
    for account in accounts:
        click.echo(f"  {account['role']:<8} {account['email']:<22} {account['password']}")
    if server is None:
        return
    # Printed once the socket is bound, so whoever reads it can connect at once.
    click.echo(f"Serving the demo at http://127.0.0.1:{server.port}/ (Ctrl+C to stop)")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")


@click.command("create-user")
@click.option("--role", type=click.Choice(ROLES), default="learner", show_default=True)
@click.option("--name", prompt=True)
@click.option("--email", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_user_command(role: str, name: str, email: str, password: str) -> None:
    """Create an account with the given role."""
    minimum = current_app.config["LMS_PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise click.UsageError(f"the password needs at least {minimum} characters")
    try:
        user = create_user(name=name, email=email, password=password, role=role, now=now())
    except AccountError as exc:
        raise click.UsageError(str(exc)) from exc
    except DatabaseError as exc:
        raise click.ClickException(
            f"the database is not ready ({exc.orig.__class__.__name__}); run `lms init` first"
        ) from exc
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


#: The commands the LMS adds to an app's CLI: top level in the standalone ``lms`` command,
#: under ``flask lms ...`` in a host application.
COMMANDS = (
    init_command,
    demo_command,
    create_user_command,
    quizzes_group,
    keys_group,
    certificates_group,
    verify_ledger_command,
    ledger_group,
    send_reminders_command,
    outbox_group,
    backup_command,
    restore_command,
)
lms_group = click.Group("lms", help="CEC LMS commands.", commands=list(COMMANDS))
