"""``lms send-reminders``: safe to run from cron (daily)."""

from __future__ import annotations

import json
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.clock import now
from lms.reminders.operations import send_reminders


@click.command("send-reminders")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Run as if it were this date (YYYY-MM-DD); the reminders are really sent.",
)
@with_appcontext
def send_reminders_command(today: datetime | None) -> None:
    """E-mail learners who are short 90, 30 and 7 days before a due date (once per window),
    and remind seat holders of tomorrow's events (once per event); prints {"queued": N,
    "already_sent": N, "sent": N, "failed": N}."""
    if not current_app.config["LMS_BASE_URL"]:
        raise click.ClickException(
            "set LMS_BASE_URL: the reminders link to the learner's requirements page"
        )
    moment = now()
    run = send_reminders(today.date() if today else moment.date(), moment)
    click.echo(
        json.dumps(
            {
                "queued": run.queued,
                "already_sent": run.already_sent,
                "sent": run.delivery.sent,
                "failed": run.delivery.failed,
            }
        )
    )
