"""``lms outbox deliver`` (from cron, on any number of hosts) and ``lms outbox status``."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from lms.clock import now
from lms.db import session
from lms.outbox.operations import deliver_pending, outbox_state


@click.group("outbox")
def outbox_group() -> None:
    """E-mail queued by the LMS (reminders, password resets, notifications)."""


@outbox_group.command("deliver")
@click.option("--limit", default=500, show_default=True, help="Most messages sent this run.")
@with_appcontext
def deliver_command(limit: int) -> None:
    """Send the queued e-mail, retrying failed sends; safe to run on every host at once
    (each message is claimed with a lease). Prints {"sent": N, "failed": N}."""
    delivery = deliver_pending(session(), now(), limit=limit)
    click.echo(json.dumps({"sent": delivery.sent, "failed": delivery.failed}))


@outbox_group.command("status")
@with_appcontext
def status_command() -> None:
    """Messages waiting, the oldest one's age, and those given up on (to look at by hand).
    Prints JSON; exits 1 when a message was given up on."""
    state = outbox_state(session())
    oldest = state.oldest_waiting
    age = int((now() - oldest).total_seconds()) if oldest is not None else 0
    click.echo(
        json.dumps(
            {"waiting": state.waiting, "oldest_waiting_seconds": age, "given_up": state.given_up}
        )
    )
    if state.given_up:
        raise SystemExit(1)
