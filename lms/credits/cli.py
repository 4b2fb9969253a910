"""``lms verify-ledger`` and ``lms ledger reverse``: the credit ledger from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.clock import now
from lms.credits.corrections import CorrectionRefused, correct_entry
from lms.credits.verification import verify_ledger
from lms.db import session


@click.command("verify-ledger")
@with_appcontext
def verify_ledger_command() -> None:
    """Check the credit ledger's hash chain; exit 1 with the first broken link."""
    report = verify_ledger(session())
    session().rollback()  # a read: end the transaction the walk opened
    if report.ok:
        click.echo(report.summary())
        return
    click.echo(report.summary(), err=True)
    raise SystemExit(1)


@click.group("ledger")
def ledger_group() -> None:
    """Corrections to the credit ledger (entries are reversed, never edited)."""


@ledger_group.command("reverse")
@click.argument("entry_id", type=click.IntRange(min=1))
@click.option("--reason", required=True, help="Why: kept in the ledger, shown to the learner.")
@with_appcontext
def reverse_command(entry_id: int, reason: str) -> None:
    """Reverse ENTRY_ID with a reason (once)."""
    try:
        reversal = correct_entry(entry_id, reason, now=now(), recorded_by_id=None)
    except CorrectionRefused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Entry {entry_id} reversed by entry {reversal.id} (seq {reversal.seq}): "
        f"{reversal.credits} {reversal.credit_unit}."
    )
