"""``lms quizzes ...``: GIFT import and export, and closing attempts whose time is up."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from lms.awards.issuer import IssuerNotConfigured
from lms.catalogue.models import Course
from lms.clock import now
from lms.db import session
from lms.learning.operations import settle_expired
from lms.learning.quiz_bank import MAX_GIFT_BYTES, ImportRefused, export_gift, import_gift


def _course(slug: str) -> Course:
    # The newest version: the draft being prepared, when there is one.
    course = (
        session()
        .scalars(select(Course).where(Course.slug == slug).order_by(Course.version.desc()))
        .first()
    )
    if course is None:
        raise click.UsageError(f"no course has the slug {slug!r}")
    return course


@click.group("quizzes")
def quizzes_group() -> None:
    """Question banks (GIFT) and quiz attempts."""


@quizzes_group.command("import-gift")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--course", "slug", required=True, help="The course whose final quiz gets them.")
@click.option("--pool", default=None, help="Put every question in this pool.")
@with_appcontext
def import_gift_command(file: Path, slug: str, pool: str | None) -> None:
    """Import a GIFT file; print a one-line JSON summary. All questions or none."""
    if file.stat().st_size > MAX_GIFT_BYTES:
        raise click.ClickException(f"{file} is larger than {MAX_GIFT_BYTES // 1024 // 1024} MB")
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(f"{file} is not UTF-8 text; nothing was imported") from None
    try:
        summary = import_gift(_course(slug), text, now(), pool=pool)
    except ImportRefused as exc:
        raise click.ClickException(f"{file}: {exc}; nothing was imported") from None
    click.echo(json.dumps(summary, ensure_ascii=False))


@quizzes_group.command("export-gift")
@click.option("--course", "slug", required=True)
@with_appcontext
def export_gift_command(slug: str) -> None:
    """Write the course's final quiz as GIFT to stdout (notes on stderr)."""
    text, skipped = export_gift(_course(slug))
    sys.stdout.write(text)
    for item in skipped:
        click.echo(f"note: {item.title}: {item.reason}", err=True)


@quizzes_group.command("close-expired")
@with_appcontext
def close_expired_command() -> None:
    """Close open attempts past their time limit, graded with their saved answers (cron-safe)."""
    try:
        closed = settle_expired(now())
    except IssuerNotConfigured as exc:
        raise click.ClickException(f"nothing was closed: {exc}") from None
    click.echo(f"Closed {closed} expired attempt{'' if closed == 1 else 's'}.")
