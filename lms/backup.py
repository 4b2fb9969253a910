"""``lms backup PATH`` and ``lms restore PATH``: copies of the whole database (docs/OPERATIONS.md).

SQLite: the online backup API copies one consistent snapshot while the app keeps writing (in
WAL mode a reader never waits for a writer, nor sees its uncommitted rows). The copy is written
next to PATH, checked with ``PRAGMA integrity_check`` and only then renamed into place, so PATH
is either a complete backup or not there. A restore checks the file first (an SQLite database,
not truncated, intact, a schema revision this code knows) and copies it into the live database
with the same API, in one write transaction, so connections that stay open see either the old
database or the restored one.

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore``. The archive is read back in full
after a dump and before a restore (``pg_restore`` to a stream), which checks every data block
and yields the row counts and the schema revision it holds.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sqlite3
import subprocess  # nosec B404
import tempfile
import time
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Engine, func, inspect, select, table
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from lms.migrate import alembic_config
from lms.models import ALL_METADATA

VERSION_TABLE = "lms_alembic_version"
SQLITE_MAGIC = b"SQLite format 3\x00"


def model_tables() -> frozenset[str]:
    """The tables whose rows are counted: the ones the models declare (names never come from
    the file being checked, so they are safe to put into SQL)."""
    return frozenset(name for metadata in ALL_METADATA for name in metadata.tables)


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why and what to do."""


@dataclass(frozen=True)
class Summary:
    """What a database (or a backup of one) holds."""

    #: ``["ok"]`` when intact, else the problems found.
    integrity: list[str]
    #: The rows of ``lms_alembic_version`` (one revision, unless the history branches).
    revisions: list[str]
    #: Rows per LMS table.
    counts: dict[str, int] = field(default_factory=dict)
    #: What produced ``integrity``.
    check: str = "integrity_check"

    @property
    def ok(self) -> bool:
        return self.integrity == ["ok"]

    def lines(self) -> list[str]:
        """The report both commands print."""
        revision = ", ".join(self.revisions) or "none"
        out = [f"{self.check}: {'; '.join(self.integrity)}", f"schema revision: {revision}"]
        if self.counts:
            width = max(len(name) for name in self.counts)
            out.append("rows:")
            out += [f"  {name:<{width}} {count}" for name, count in sorted(self.counts.items())]
        return out


# --- schema revisions ------------------------------------------------------------------------


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def check_restorable(summary: Summary, path: Path) -> None:
    """Refuse a backup that is damaged, not the LMS's, or from a newer version of the LMS."""
    if not summary.ok:
        problems = "; ".join(summary.integrity[:5])
        raise BackupError(f"{path} failed its integrity check ({problems}); not restored")
    if not summary.revisions:
        raise BackupError(
            f"{path} has no schema revision in {VERSION_TABLE}: not an LMS database, or one "
            "that was never migrated; not restored"
        )
    script = _script()
    known = {script_.revision for script_ in script.walk_revisions()}
    for revision in summary.revisions:
        if revision not in known:
            # An unknown revision comes from a newer LMS: this code could not read its tables.
            raise BackupError(
                f"{path} is at schema revision {revision}, which this version of the LMS does "
                f"not know (its newest is {', '.join(script.get_heads())}): restore it with the "
                "LMS version that made it, or a newer one"
            )


def behind_head(summary: Summary) -> bool:
    """Whether the database needs ``lms init`` to reach this code's schema."""
    return set(summary.revisions) != set(_script().get_heads())


# --- SQLite ------------------------------------------------------------------------------------


def _count_sql(name: str) -> str:
    # Compiled by SQLAlchemy, which quotes the (model-declared) table name.
    statement = select(func.count()).select_from(table(name))
    return str(statement.compile(dialect=sqlite_dialect.dialect()))


def sqlite_summary(connection: sqlite3.Connection) -> Summary:
    """Integrity, revision and row counts of an open SQLite database."""
    integrity = [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
    names = {
        row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    revisions: list[str] = []
    if VERSION_TABLE in names:
        revisions = [
            str(row[0]) for row in connection.execute("SELECT version_num FROM lms_alembic_version")
        ]
    counts = {
        name: int(connection.execute(_count_sql(name)).fetchone()[0])
        for name in sorted(model_tables() & names)
    }
    return Summary(integrity, revisions, counts)


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(f"only a SQLite database in a file can be backed up, not {database!r}")
    return Path(database).resolve()


def check_sqlite_file(path: Path) -> None:
    """Refuse what is not a whole SQLite database before SQLite reads it."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file")
    size = path.stat().st_size
    with path.open("rb") as file:
        header = file.read(100)
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise BackupError(f"{path} is not an SQLite database")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count in the header is valid when its "valid for" counter matches the change
    # counter (SQLite 3.7.0 and later write both).
    if pages and header[24:28] == header[92:96] and size < pages * page_size:
        raise BackupError(
            f"{path} is truncated: {size} bytes, but its header says {pages} pages of "
            f"{page_size} bytes; not restored"
        )


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _place(tmp: Path, target: Path, force: bool) -> None:
    """Move the finished copy to its name; without ``force`` never over an existing file."""
    if force:
        # A stale WAL or journal beside the old file would be replayed into the new one.
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, target)
    else:
        try:
            os.link(tmp, target)  # atomic: fails if the name appeared meanwhile
        except FileExistsError:
            raise BackupError(f"{target} exists; pass --force to replace it") from None
        tmp.unlink()
    if hasattr(os, "O_DIRECTORY"):  # the rename itself must reach the disk too
        fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _prepare_target(target: Path, force: bool, live: Path | None = None) -> Path:
    target = target.absolute()
    if target.exists() and not force:
        raise BackupError(f"{target} exists; pass --force to replace it")
    if target.is_dir():
        raise BackupError(f"{target} is a folder; give a file name")
    if live is not None and target.resolve() == live:
        raise BackupError("the backup cannot be written over the live database")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    return target


def _temporary_beside(target: Path) -> Path:
    # Same folder: the final rename stays on one file system. mkstemp makes it 0600: a backup
    # holds password hashes and evidence files.
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    except OSError as exc:
        raise BackupError(f"cannot write in {target.parent}: {exc.strerror}") from None
    os.close(fd)
    return Path(name)


class _Locked(sqlite3.OperationalError):
    """The other side of a copy stayed locked past the busy timeout."""


def _give_up_when_locked(busy_timeout_ms: int) -> Callable[[int, int, int], None]:
    """A progress callback for ``Connection.backup``, which retries a locked step forever:
    give up after the busy timeout, as every other statement does."""
    deadline = time.monotonic() + busy_timeout_ms / 1000

    def progress(status: int, remaining: int, total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
            raise _Locked(f"still locked after {busy_timeout_ms} ms")

    return progress


def _copy_sqlite(live: Path, copy_path: Path, busy_timeout_ms: int) -> Summary:
    source = sqlite3.connect(live, timeout=busy_timeout_ms / 1000)
    try:
        copy = sqlite3.connect(copy_path)
        try:
            # All pages in one step: one read snapshot, so the copy is consistent even while
            # the app commits (a step-by-step copy restarts whenever another connection writes).
            source.backup(copy, pages=-1, progress=_give_up_when_locked(busy_timeout_ms))
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            return sqlite_summary(copy)
        finally:
            copy.close()
    finally:
        source.close()


def backup_sqlite(live: Path, target: Path, *, force: bool, busy_timeout_ms: int) -> Summary:
    """Copy the live database to ``target`` (see the module's docstring)."""
    if not live.is_file():
        raise BackupError(f"there is no database at {live}; run `lms init` first")
    target = _prepare_target(target, force, live)
    tmp = _temporary_beside(target)
    try:
        try:
            summary = _copy_sqlite(live, tmp, busy_timeout_ms)
        except sqlite3.Error as exc:  # e.g. a full disk, or a damaged live database
            raise BackupError(f"the backup failed: {exc}") from None
        if not summary.ok:
            raise BackupError(f"the copy failed its integrity check: {summary.integrity[:5]}")
        _fsync(tmp)
        _place(tmp, target, force)
    finally:
        tmp.unlink(missing_ok=True)  # gone already when placed
    return summary


def _set_aside_if_unreadable(live: Path) -> Path | None:
    """A live database SQLite cannot open (truncated, overwritten: the reason to restore) is
    renamed aside, with its WAL, so the backup is copied into a fresh file; returns its new
    name. A readable one, damaged pages and all, is left for the copy to overwrite."""
    if not live.exists() or live.stat().st_size == 0:
        return None
    try:
        check_sqlite_file(live)
        with closing(sqlite3.connect(live.as_uri() + "?mode=ro", uri=True)) as connection:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return None
    except (BackupError, sqlite3.DatabaseError):
        pass
    aside = live.with_name(f"{live.name}.unreadable-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
    for suffix in ("-wal", "-shm", "-journal"):
        companion = Path(f"{live}{suffix}")
        if companion.exists():
            os.replace(companion, f"{aside}{suffix}")
    os.replace(live, aside)
    return aside


def restore_sqlite(
    live: Path, source_path: Path, *, busy_timeout_ms: int, confirm: Callable[[Summary], bool]
) -> Summary | None:
    """Check ``source_path``, ask ``confirm``, then copy it over the live database.

    Returns the live database's summary afterwards, or None when ``confirm`` said no.
    """
    check_sqlite_file(source_path)
    source = sqlite3.connect(source_path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        try:
            summary = sqlite_summary(source)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source_path} is damaged ({exc}); not restored") from None
        check_restorable(summary, source_path)
        if not confirm(summary):
            return None
        if not live.parent.is_dir():
            raise BackupError(f"the folder {live.parent} does not exist")
        aside = _set_aside_if_unreadable(live)
        if aside is not None:
            click.echo(f"The live database could not be read; it is kept as {aside}.", err=True)
        target = sqlite3.connect(live, timeout=busy_timeout_ms / 1000)
        try:
            # One write transaction on the live file: open connections see all of it or none,
            # and a failure rolls it back.
            try:
                source.backup(target, pages=-1, progress=_give_up_when_locked(busy_timeout_ms))
            except _Locked as exc:
                raise BackupError(
                    f"the restore failed, the database is unchanged: it is in use ({exc}); "
                    "stop the app first"
                ) from None
            except sqlite3.Error as exc:
                raise BackupError(f"the restore failed, the database is unchanged: {exc}") from None
            restored = sqlite_summary(target)
        finally:
            target.close()
    finally:
        source.close()
    if not restored.ok:
        raise BackupError(f"the restored database failed its integrity check: {restored.integrity}")
    return restored


# --- PostgreSQL --------------------------------------------------------------------------------


def libpq_url(url: URL | str) -> tuple[str, dict[str, str]]:
    """The SQLAlchemy URL (``postgresql+psycopg://...``) as a libpq URL for pg_dump, and the
    environment to add: the password goes in PGPASSWORD, never on a command line (``ps``)."""
    url = make_url(url)
    env = {"PGPASSWORD": url.password} if url.password else {}
    # URL.set() cannot clear a field (None means "unchanged"): build the URL afresh.
    plain = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    return plain.render_as_string(hide_password=False), env


def _missing_tool(tool: str, argv: list[str], env: dict[str, str]) -> BackupError:
    hint = " (with the password in PGPASSWORD or ~/.pgpass)" if env else ""
    return BackupError(
        f"{tool} is not installed here (PostgreSQL's client tools, e.g. the postgresql-client "
        f"package). Run this where it is{hint}:\n  {shlex.join(argv)}"
    )


def pg_dump_argv(url: str, path: Path, tool: str = "pg_dump") -> list[str]:
    return [tool, "--format=custom", "--no-owner", "--file", str(path), url]


def pg_restore_argv(url: str, path: Path, tool: str = "pg_restore") -> list[str]:
    # One transaction: a restore that fails half-way leaves the database as it was.
    return [
        tool,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--dbname",
        url,
        str(path),
    ]


_COPY_RE = re.compile(r'^COPY (?:"?[^ ."]+"?\.)?"?([A-Za-z0-9_]+)"? \(.*\) FROM stdin;$')


def parse_copy_stream(lines: Iterable[str]) -> tuple[list[str], dict[str, int]]:
    """Revision and row counts from ``pg_restore --data-only`` output (COPY text format: one
    row per line, a line ``\\.`` ends a table)."""
    revisions: list[str] = []
    counts: dict[str, int] = {}
    current: str | None = None
    for raw in lines:
        line = raw.rstrip("\n")
        if current is None:
            match = _COPY_RE.match(line)
            if match:
                current = match.group(1)
                counts.setdefault(current, 0)
            continue
        if line == "\\.":
            current = None
            continue
        counts[current] += 1
        if current == VERSION_TABLE:
            revisions.append(line.split("\t")[0])
    return revisions, {name: n for name, n in counts.items() if name in model_tables()}


def read_archive(path: Path) -> Summary:
    """Read every data block of a pg_dump custom archive; refuse what pg_restore cannot read."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file")
    tool = shutil.which("pg_restore")
    argv = [tool or "pg_restore", "--data-only", "--file=-", str(path)]
    if tool is None:
        raise _missing_tool("pg_restore", argv, {})
    # Streamed (memory stays flat however big the archive); stderr to a file, so a chatty
    # pg_restore cannot block on a full pipe while we read stdout.
    with (
        tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as errors,
        # An argument list, never a shell.
        subprocess.Popen(  # noqa: S603  # nosec B603
            argv, stdout=subprocess.PIPE, stderr=errors, encoding="utf-8", errors="replace"
        ) as process,
    ):
        revisions, counts = parse_copy_stream(process.stdout)  # type: ignore[arg-type]
        code = process.wait()
        errors.seek(0)
        message = errors.read().strip()
    if code != 0:
        raise BackupError(f"{path} is not a readable pg_dump archive: {message}")
    return Summary(["ok"], revisions, counts, check="archive read back in full")


def postgresql_summary(engine: Engine) -> Summary:
    with engine.connect() as connection:
        names = set(inspect(connection).get_table_names())
        revisions: list[str] = []
        if VERSION_TABLE in names:
            revisions = list(
                connection.exec_driver_sql("SELECT version_num FROM lms_alembic_version")
                .scalars()
                .all()
            )
        counts = {
            name: int(connection.scalar(select(func.count()).select_from(table(name))) or 0)
            for name in sorted(model_tables() & names)
        }
    # Called after pg_restore succeeded in its single transaction.
    return Summary(["ok"], revisions, counts, check="pg_restore")


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    # An argument list, never a shell.
    result = subprocess.run(  # noqa: S603  # nosec B603
        argv, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()}")


def backup_postgresql(url: URL | str, target: Path, *, force: bool) -> Summary:
    """pg_dump into a file beside ``target``, read it back, then rename it into place."""
    conninfo, env = libpq_url(url)
    target = _prepare_target(target, force)
    tool = shutil.which("pg_dump")
    if tool is None:
        raise _missing_tool("pg_dump", pg_dump_argv(conninfo, target), env)
    if shutil.which("pg_restore") is None:  # the dump is read back with it before it is kept
        raise BackupError(
            "pg_restore is not installed here; it checks every backup, so install "
            "PostgreSQL's client tools (e.g. the postgresql-client package) beside pg_dump"
        )
    tmp = _temporary_beside(target)
    try:
        _run(pg_dump_argv(conninfo, tmp, tool), env, "pg_dump")
        summary = read_archive(tmp)
        if not summary.revisions:
            raise BackupError(f"the database has no {VERSION_TABLE}: run `lms init` first")
        _place(tmp, target, force)
    finally:
        tmp.unlink(missing_ok=True)
    return summary


def _other_sessions(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).scalar()
            or 0
        )


def restore_postgresql(
    engine: Engine, source_path: Path, *, confirm: Callable[[Summary], bool]
) -> Summary | None:
    """Check the archive, ask ``confirm``, then pg_restore it over the live database."""
    conninfo, env = libpq_url(engine.url)
    tool = shutil.which("pg_restore")
    if tool is None:
        raise _missing_tool("pg_restore", pg_restore_argv(conninfo, source_path), env)
    summary = read_archive(source_path)
    check_restorable(summary, source_path)
    if behind_head(summary) and inspect(engine).has_table(VERSION_TABLE):
        # pg_restore --clean drops only what the archive holds: newer tables would stay and
        # block both the restore and the upgrade after it.
        raise BackupError(
            f"{source_path} is at schema revision {', '.join(summary.revisions)}, older than "
            "this database's: restore it into an empty database, then run `lms init` "
            "(docs/OPERATIONS.md)"
        )
    engine.dispose()  # our own idle pooled connections are not the ones to warn about
    others = _other_sessions(engine)
    if others:
        # pg_restore waits for their transactions (the archive sets lock_timeout to 0).
        click.echo(
            f"Warning: {others} other connection(s) to this database are open; stop the app "
            "first, or the restore waits for their transactions to end.",
            err=True,
        )
    if not confirm(summary):
        return None
    engine.dispose()  # our own pooled connections would hold locks on the tables it drops
    _run(pg_restore_argv(conninfo, source_path, tool), env, "pg_restore")
    return postgresql_summary(engine)


# --- dispatch and commands ------------------------------------------------------------------


def backup_database(engine: Engine, target: Path, *, force: bool, busy_timeout_ms: int) -> Summary:
    """Back up the database ``engine`` points at into ``target``."""
    if engine.dialect.name == "sqlite":
        return backup_sqlite(
            _sqlite_path(engine), target, force=force, busy_timeout_ms=busy_timeout_ms
        )
    if engine.dialect.name == "postgresql":
        return backup_postgresql(engine.url, target, force=force)
    raise BackupError(f"backups of {engine.dialect.name} databases are not supported")


def restore_database(
    engine: Engine, source: Path, *, busy_timeout_ms: int, confirm: Callable[[Summary], bool]
) -> Summary | None:
    """Replace the database ``engine`` points at with the backup ``source``."""
    if engine.dialect.name == "sqlite":
        live = _sqlite_path(engine)
        restored = restore_sqlite(live, source, busy_timeout_ms=busy_timeout_ms, confirm=confirm)
        engine.dispose()  # fresh connections (and their pragmas) for whatever runs next
    elif engine.dialect.name == "postgresql":
        restored = restore_postgresql(engine, source, confirm=confirm)
    else:
        raise BackupError(f"restores of {engine.dialect.name} databases are not supported")
    if restored is not None:
        end_restored_sign_ins(engine)
    return restored


def end_restored_sign_ins(engine: Engine) -> None:
    """Sign-ins open in the backup end: a cookie signed out (or a password changed) since the
    backup was taken must not come back to life with it."""
    from lms.accounts.models import LoginSession
    from lms.clock import now

    if not inspect(engine).has_table(LoginSession.__tablename__):
        return  # a backup from before sign-ins were recorded
    with engine.begin() as connection:
        connection.execute(
            LoginSession.__table__.update()
            .where(LoginSession.ended_at.is_(None))
            .values(ended_at=now(), ended_reason="restore")
        )


def _describe(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def database_error_message(exc: SQLAlchemyError) -> str:
    """The driver's own first line ("database "x" does not exist"), without SQLAlchemy's
    statement dump and background link."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return reason[0] if reason else type(exc).__name__


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it already exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Copy the whole database to PATH while the app keeps running (SQLite file or pg_dump
    archive); prints the copy's integrity check, schema revision and row counts."""
    engine = current_app.extensions["lms"].db.engine
    try:
        summary = backup_database(
            engine,
            path,
            force=force,
            busy_timeout_ms=current_app.config["LMS_SQLITE_BUSY_TIMEOUT_MS"],
        )
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    except SQLAlchemyError as exc:
        raise click.ClickException(
            f"{_describe(engine)} cannot be read: {database_error_message(exc)}"
        ) from None
    click.echo(f"Backed up {_describe(engine)} to {path.absolute()}")
    for line in summary.lines():
        click.echo(line)


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the whole database with the backup at PATH (checked first: intact, and a schema
    revision this version knows). Stop the app first (docs/OPERATIONS.md)."""
    engine = current_app.extensions["lms"].db.engine

    def confirm(summary: Summary) -> bool:
        if yes:
            return True
        # What is about to replace the database, for the person who confirms it.
        click.echo(f"Backup {path.absolute()}:")
        for line in summary.lines():
            click.echo(line)
        return click.confirm(
            f"Replace every row in {_describe(engine)} with this backup?", default=False
        )

    try:
        restored = restore_database(
            engine,
            path,
            busy_timeout_ms=current_app.config["LMS_SQLITE_BUSY_TIMEOUT_MS"],
            confirm=confirm,
        )
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    except SQLAlchemyError as exc:
        raise click.ClickException(
            f"{_describe(engine)} cannot be reached, nothing was restored: "
            f"{database_error_message(exc)} (on PostgreSQL, create the database first: "
            "docs/OPERATIONS.md)"
        ) from None
    if restored is None:
        raise click.ClickException("Not restored: the database is unchanged.")
    click.echo(f"Restored {_describe(engine)} from {path.absolute()}")
    for line in restored.lines():
        click.echo(line)
    if behind_head(restored):
        click.echo("The backup is from an older schema: run `lms init` to upgrade it.")
