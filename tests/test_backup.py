"""`lms backup` / `lms restore`: a consistent copy while the app writes, checked restores, and
the refusals (docs/OPERATIONS.md). Runs on the database under test: SQLite, or PostgreSQL
through pg_dump / pg_restore."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, inspect, select, table, text
from sqlalchemy.dialects import sqlite as sqlite_dialect

from lms.accounts.models import User
from lms.backup import libpq_url, model_tables
from lms.credits.verification import verify_ledger
from tests.conftest import make_app
from tests.scratch_databases import scratch_database

ROW_RE = re.compile(r"^  ([a-z_]+) +(\d+)$", re.MULTILINE)
WAIT = 60  # seconds: a bound on waiting for the other thread, never a timing assumption


def printed_counts(output: str) -> dict[str, int]:
    return {name: int(n) for name, n in ROW_RE.findall(output)}


def dialect_of(app: Flask) -> str:
    with app.app_context():
        return app.extensions["lms"].db.engine.dialect.name


def needs_pg_tools(app: Flask) -> None:
    if dialect_of(app) == "postgresql" and shutil.which("pg_dump") is None:
        pytest.skip("the PostgreSQL round trip needs pg_dump and pg_restore, not installed here")


def live_counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        db = app.extensions["lms"].db
        names = model_tables() & set(inspect(db.engine).get_table_names())
        counts = {
            name: db.session.scalar(select(func.count()).select_from(text(name)))
            for name in sorted(names)
        }
        db.session.rollback()
    return counts


def count_sql(name: str) -> str:
    statement = select(func.count()).select_from(table(name))
    return str(statement.compile(dialect=sqlite_dialect.dialect()))


def file_counts(path: Path) -> dict[str, int]:
    """Counted straight from an SQLite file, without the code under test."""
    with sqlite3.connect(path.as_uri() + "?mode=ro", uri=True) as connection:
        names = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return {
            name: connection.execute(count_sql(name)).fetchone()[0]
            for name in sorted(model_tables() & names)
        }


def ledger_ok(app: Flask) -> str:
    from lms.db import session

    with app.app_context():
        report = verify_ledger(session())
        session().rollback()
    assert report.ok, report.summary()
    return report.summary()


class Writer(threading.Thread):
    """The app under load: in its own app context, keeps appending credit entries (and every
    fourth time first creates the learner they are for), through the LMS's own functions. On
    request it stops in the middle of a transaction (the entry written, not committed) until
    released."""

    def __init__(self, app: Flask, clock) -> None:  # noqa: ANN001
        super().__init__(daemon=True)
        self.app, self.clock = app, clock
        self.users = 0  # committed learners
        self.entries = 0  # committed entries
        self.progress = threading.Condition()
        self.stop = threading.Event()
        self.hold = threading.Event()
        self.holding = threading.Event()
        self.release = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        from lms.accounts.operations import create_user
        from lms.credits.ledger import append_entry
        from lms.db import session

        try:
            with self.app.app_context():
                while not self.stop.is_set():
                    n = self.entries + 1
                    if n % 4 == 1:  # create_user commits, and hashes a password: not every time
                        user = create_user(
                            name=f"Load {n}",
                            email=f"load{n}@example.org",
                            password="correct horse battery",
                            role="learner",
                            now=self.clock(),
                        )
                        with self.progress:
                            self.users += 1
                    append_entry(
                        session(),
                        user_id=user.id,
                        source="class_roster",
                        source_ref=f"load:{n}",
                        description=f"Load entry {n}",
                        credits=Decimal("1.50"),
                        credit_unit="CEC",
                        earned_on=date(2026, 3, 1),
                        now=self.clock(),
                    )
                    if self.hold.is_set() and not self.holding.is_set():
                        self.holding.set()  # the write transaction is open, the entry in it
                        if not self.release.wait(WAIT):
                            raise TimeoutError("never released")
                    session().commit()
                    with self.progress:
                        self.entries = n
                        self.progress.notify_all()
                session().remove()
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = exc
            self.holding.set()
            with self.progress:
                self.progress.notify_all()

    def wait_for(self, entries: int) -> None:
        with self.progress:
            reached = self.progress.wait_for(
                lambda: self.entries >= entries or self.error is not None, WAIT
            )
        assert self.error is None, self.error
        assert reached, f"the writer did not reach {entries} entries"


def cli_env(database_url: str, instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("DATABASE_URL")}
    env.update(LMS_DATABASE_URL=database_url, LMS_INSTANCE_PATH=str(instance))
    # On PostgreSQL these must be set explicitly (lms/deployment.py), as on a real server.
    env.setdefault("LMS_SECRET_KEY", "4b7e1d9c2a6f3e8b5c0d7a1f9e2b6c3d")
    env.setdefault("LMS_MAIL_BACKEND", "file")
    return env


def test_backup_under_write_load_restores_the_same_rows(
    app, runner, clock, create_user, database_url, tmp_path
):
    needs_pg_tools(app)
    sqlite = dialect_of(app) == "sqlite"
    writer = Writer(app, clock)
    writer.start()
    try:
        writer.wait_for(6)
        # 1. The installed `lms` command, in another process, while the app's write
        # transaction is open half-way (an entry written, not committed): the backup neither
        # waits for it nor includes it.
        writer.hold.set()
        assert writer.holding.wait(WAIT) and writer.error is None, writer.error
        held_users, held_at = writer.users, writer.entries
        first = tmp_path / "first.backup"
        process = subprocess.run(
            [str(Path(sys.executable).with_name("lms")), "backup", str(first)],
            env=cli_env(database_url, tmp_path / "cli-instance"),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert not writer.release.is_set()  # still held: the backup did not wait for it
        writer.release.set()
        assert process.returncode == 0, process.stderr
        output = process.stdout
        check = "integrity_check" if sqlite else "archive read back in full"
        assert f"{check}: ok" in output
        assert "schema revision: " in output
        first_counts = printed_counts(output)
        assert first_counts["lms_user"] == held_users
        assert first_counts["lms_credit_entry"] == held_at
        assert first_counts["lms_ledger_head"] == 1
        if sqlite:
            assert file_counts(first) == first_counts
        assert not list(tmp_path.glob(".first.backup*")), "a temporary file was left behind"

        # 2. In-process, while the writer runs freely.
        writer.wait_for(held_at + 2)
        second = tmp_path / "second.backup"
        result = runner.invoke(args=["backup", str(second)])
        assert result.exit_code == 0, result.output
        second_counts = printed_counts(result.output)
        if sqlite:
            assert file_counts(second) == second_counts
    finally:
        writer.stop.set()
        writer.release.set()
        writer.join(WAIT)
    assert writer.error is None, writer.error
    assert second_counts["lms_credit_entry"] > first_counts["lms_credit_entry"]
    # A learner is committed just before their first entry: a consistent copy has at most
    # one learner without an entry (verify_ledger below checks the head row against entries).
    assert 0 <= second_counts["lms_user"] * 4 - second_counts["lms_credit_entry"] <= 4

    # The first backup into a fresh database: the counts printed, the chain intact.
    with scratch_database("sqlite" if sqlite else "postgresql", tmp_path, "restore") as fresh_url:
        fresh = make_app(fresh_url, tmp_path / "fresh-instance")
        try:
            restored = fresh.test_cli_runner().invoke(args=["restore", "--yes", str(first)])
            assert restored.exit_code == 0, restored.output
            assert printed_counts(restored.output) == first_counts
            assert live_counts(fresh) == first_counts
            assert ledger_ok(fresh).startswith(f"OK: {held_at} entries")
        finally:
            with fresh.app_context():
                fresh.extensions["lms"].db.engine.dispose()

    # The second backup over the live database, with a connection of the app's left open
    # across the restore: its next transaction sees the restored rows.
    create_user(email="after-the-backup@example.org")
    assert live_counts(app) != second_counts
    count_users = select(func.count()).select_from(User)
    with app.app_context():
        engine = app.extensions["lms"].db.engine
    with engine.connect() as still_open:
        before = still_open.scalar(count_users)
        still_open.rollback()  # idle between transactions, as a pooled connection is
        restored = runner.invoke(args=["restore", "--yes", str(second)])
        assert restored.exit_code == 0, restored.output
        after = still_open.scalar(count_users)
        still_open.rollback()
    assert before > after == second_counts["lms_user"]  # the user added above is gone
    assert live_counts(app) == second_counts == printed_counts(restored.output)
    ledger_ok(app)
    with app.app_context():
        db = app.extensions["lms"].db
        emails = db.session.scalars(select(User.email)).all()
        assert "after-the-backup@example.org" not in emails
        assert len(emails) == second_counts["lms_user"]
        if sqlite:  # the live file keeps its WAL mode
            assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        db.session.rollback()


def test_backup_refuses_an_existing_path_without_force(app, runner, create_user, tmp_path):
    needs_pg_tools(app)
    create_user()
    target = tmp_path / "existing.backup"
    target.write_bytes(b"an older backup, kept")
    refused = runner.invoke(args=["backup", str(target)])
    assert refused.exit_code == 1
    assert "exists; pass --force to replace it" in refused.output
    assert target.read_bytes() == b"an older backup, kept"
    assert sorted(p.name for p in tmp_path.iterdir() if "backup" in p.name) == ["existing.backup"]
    forced = runner.invoke(args=["backup", "--force", str(target)])
    assert forced.exit_code == 0, forced.output
    assert printed_counts(forced.output)["lms_user"] == 1
    assert target.read_bytes() != b"an older backup, kept"
    missing_folder = runner.invoke(args=["backup", str(tmp_path / "nowhere" / "x.backup")])
    assert missing_folder.exit_code == 1
    assert "does not exist" in missing_folder.output


@pytest.fixture
def good_backup(app, runner, create_user, tmp_path) -> Path:
    """A backup holding one learner; afterwards the live database holds two."""
    needs_pg_tools(app)
    create_user(email="kept@example.org")
    path = tmp_path / "good.backup"
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    create_user(email="later@example.org")
    return path


def assert_refused(runner, app, path: Path, message: str, *args: str, **kw) -> None:  # noqa: ANN001, ANN003
    before = live_counts(app)
    result = runner.invoke(args=["restore", *args, str(path)], **kw)
    assert result.exit_code != 0, result.output
    assert message in result.output, result.output
    assert live_counts(app) == before
    assert before["lms_user"] == 2


def test_restore_refuses_a_file_that_is_not_a_backup(app, runner, good_backup, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database at all\n" * 200)
    sqlite = dialect_of(app) == "sqlite"
    message = "is not an SQLite database" if sqlite else "is not a readable pg_dump archive"
    assert_refused(runner, app, junk, message, "--yes")
    assert_refused(runner, app, tmp_path / "missing.backup", "does not exist", "--yes")


def test_restore_refuses_a_truncated_backup(app, runner, good_backup, tmp_path):
    data = good_backup.read_bytes()
    cut = tmp_path / "cut.backup"
    cut.write_bytes(data[: len(data) // 2])
    sqlite = dialect_of(app) == "sqlite"
    assert_refused(runner, app, cut, "is truncated" if sqlite else "not a readable", "--yes")
    if sqlite:
        # Cut at a page boundary, with the header's page count cleared: SQLite's own
        # integrity check finds the missing pages.
        page = int.from_bytes(data[16:18], "big")
        pages = len(data) // page
        headerless = bytearray(data[: page * (pages // 2)])
        headerless[28:32] = b"\0\0\0\0"
        cut.write_bytes(bytes(headerless))
        assert_refused(runner, app, cut, "not restored", "--yes")


def test_restore_refuses_a_backup_from_a_newer_schema(app, runner, good_backup, tmp_path):
    newer = tmp_path / "newer.backup"
    if dialect_of(app) == "sqlite":
        shutil.copyfile(good_backup, newer)
        with sqlite3.connect(newer) as connection:
            connection.execute("UPDATE lms_alembic_version SET version_num = '9999_future'")
        connection.close()
    else:
        # The archive must carry the newer revision: dump the live database labelled so.
        with app.app_context():
            engine = app.extensions["lms"].db.engine
            with engine.begin() as connection:
                head = connection.scalar(text("SELECT version_num FROM lms_alembic_version"))
                connection.execute(
                    text("UPDATE lms_alembic_version SET version_num = '9999_future'")
                )
            try:
                dumped = runner.invoke(args=["backup", str(newer)])
            finally:
                with engine.begin() as connection:
                    connection.execute(
                        text("UPDATE lms_alembic_version SET version_num = :v"), {"v": head}
                    )
            assert dumped.exit_code == 0, dumped.output
    assert_refused(runner, app, newer, "9999_future, which this version of the LMS does not know")


def test_restore_refuses_an_sqlite_file_that_is_not_the_lms(app, runner, good_backup, tmp_path):
    if dialect_of(app) != "sqlite":
        pytest.skip("an SQLite file")
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
    connection.close()
    assert_refused(runner, app, other, "has no schema revision in lms_alembic_version", "--yes")


def test_restore_asks_first_and_a_no_changes_nothing(app, runner, good_backup):
    assert_refused(runner, app, good_backup, "Not restored: the database is unchanged", input="n\n")


def test_restore_without_yes_and_no_answer_is_aborted(app, runner, good_backup):
    before = live_counts(app)
    result = runner.invoke(args=["restore", str(good_backup)], input="")
    assert result.exit_code == 1
    assert "Replace every row in" in result.output
    assert live_counts(app) == before
    answered = runner.invoke(args=["restore", str(good_backup)], input="y\n")
    assert answered.exit_code == 0, answered.output
    assert live_counts(app)["lms_user"] == 1


def test_restoring_an_older_revision_says_to_run_init(app, runner, good_backup, tmp_path):
    if dialect_of(app) != "sqlite":
        pytest.skip("relabels an SQLite file")
    older = tmp_path / "older.backup"
    shutil.copyfile(good_backup, older)
    with sqlite3.connect(older) as connection:
        connection.execute("UPDATE lms_alembic_version SET version_num = '0001'")
    connection.close()
    result = runner.invoke(args=["restore", "--yes", str(older)])
    assert result.exit_code == 0, result.output
    assert "schema revision: 0001" in result.output
    assert "run `lms init` to upgrade it" in result.output


def test_without_pg_dump_the_command_to_run_is_printed(tmp_path, monkeypatch):
    """No server is contacted: the command stops before, naming what to run instead."""
    import lms.backup

    monkeypatch.setattr(lms.backup.shutil, "which", lambda _name: None)
    app = make_app("postgresql+psycopg://lms:s3cret@db.example:5433/lms", tmp_path / "instance")
    runner = app.test_cli_runner()
    target = tmp_path / "lms.dump"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 1
    assert (
        f"pg_dump --format=custom --no-owner --file {target} "
        "postgresql://lms@db.example:5433/lms" in result.output
    )
    assert "PGPASSWORD" in result.output and "s3cret" not in result.output
    assert not target.exists()
    result = runner.invoke(args=["restore", "--yes", str(target)])
    assert result.exit_code == 1
    assert (
        "pg_restore --clean --if-exists --no-owner --single-transaction "
        f"--dbname postgresql://lms@db.example:5433/lms {target}" in result.output
    )


def test_libpq_url_from_the_sqlalchemy_url():
    assert libpq_url("postgresql+psycopg://u:p%40ss@h:5433/db?sslmode=require") == (
        "postgresql://u@h:5433/db?sslmode=require",
        {"PGPASSWORD": "p@ss"},
    )
    assert libpq_url("postgresql+psycopg://postgres@127.0.0.1/test") == (
        "postgresql://postgres@127.0.0.1/test",
        {},
    )


def test_a_restore_ends_the_sign_ins_the_backup_holds(app, runner, create_user, tmp_path):
    """A cookie signed out after the backup must not come back to life with the restore."""
    from tests.conftest import Web, signed_in

    needs_pg_tools(app)
    user = create_user()
    web = signed_in(app, user.email, user.plain_password)
    cookie = web.client.get_cookie("session").value
    path = tmp_path / "sessions.backup"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    web.logout()

    result = runner.invoke(args=["restore", "--yes", str(path)])

    assert result.exit_code == 0, result.output
    replay = Web(app.test_client())
    replay.client.set_cookie("session", cookie)
    assert replay.get("/dashboard").status_code == 302
    with app.app_context():
        reasons = (
            app.extensions["lms"]
            .db.session.execute(text("SELECT ended_reason FROM lms_login_session"))
            .scalars()
            .all()
        )
    assert reasons == ["restore"]


def test_a_folder_that_cannot_be_written_is_one_clear_line(app, runner, create_user, tmp_path):
    """mkstemp's error (a read-only or forbidden folder) as a message, not a traceback; the
    failure is simulated, as root may write anywhere."""
    import lms.backup

    needs_pg_tools(app)
    create_user()

    def forbidden(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise PermissionError(13, "Permission denied")

    original = lms.backup.tempfile.mkstemp
    lms.backup.tempfile.mkstemp = forbidden
    try:
        result = runner.invoke(args=["backup", str(tmp_path / "x.backup")])
    finally:
        lms.backup.tempfile.mkstemp = original
    assert result.exit_code == 1
    assert f"cannot write in {tmp_path}: Permission denied" in result.output
    assert "Traceback" not in result.output


def test_a_backup_needs_pg_restore_before_it_dumps(tmp_path, monkeypatch):
    """pg_restore reads every dump back before it is kept: without it nothing is dumped."""
    import lms.backup

    monkeypatch.setattr(
        lms.backup.shutil, "which", lambda name: "/usr/bin/pg_dump" if name == "pg_dump" else None
    )
    ran: list[list[str]] = []
    monkeypatch.setattr(lms.backup, "_run", lambda argv, env, what: ran.append(argv))
    app = make_app("postgresql+psycopg://lms@db.example:5433/lms", tmp_path / "instance")
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "lms.dump")])
    assert result.exit_code == 1
    assert "pg_restore is not installed here; it checks every backup" in result.output
    assert ran == [] and sorted(p.name for p in tmp_path.iterdir()) == ["instance"]


def sqlite_live_path(app: Flask) -> Path:
    with app.app_context():
        return Path(app.extensions["lms"].db.engine.url.database)


def test_a_restore_while_the_app_holds_the_write_lock_gives_up_clearly(app, runner, good_backup):
    """Python's backup call retries a locked database forever; the restore stops at the busy
    timeout instead, says to stop the app, and changes nothing."""
    if dialect_of(app) != "sqlite":
        pytest.skip("SQLite's write lock")
    app.config["LMS_SQLITE_BUSY_TIMEOUT_MS"] = 200
    before = live_counts(app)
    locker = sqlite3.connect(sqlite_live_path(app), isolation_level=None)
    try:
        locker.execute("BEGIN IMMEDIATE")
        result = runner.invoke(args=["restore", "--yes", str(good_backup)])
    finally:
        locker.rollback()
        locker.close()
    assert result.exit_code == 1, result.output
    assert "the database is unchanged: it is in use" in result.output
    assert "stop the app first" in result.output
    assert live_counts(app) == before


@pytest.mark.parametrize("damage", ["overwritten", "truncated"])
def test_a_restore_replaces_a_live_database_sqlite_cannot_read(app, runner, good_backup, damage):
    """The disaster a restore is for: the live file is set aside, the backup copied in."""
    if dialect_of(app) != "sqlite":
        pytest.skip("an SQLite file")
    live = sqlite_live_path(app)
    with app.app_context():
        app.extensions["lms"].db.engine.dispose()
    data = live.read_bytes()
    live.write_bytes(b"not a database\n" * 100 if damage == "overwritten" else data[:4096])
    result = runner.invoke(args=["restore", "--yes", str(good_backup)])
    assert result.exit_code == 0, result.output
    (aside,) = live.parent.glob(f"{live.name}.unreadable-*")
    assert f"it is kept as {aside}" in result.output
    assert file_counts(live)["lms_user"] == 1 and file_counts(good_backup)["lms_user"] == 1
    assert live_counts(app)["lms_user"] == 1


def test_init_on_a_database_from_a_newer_lms_is_one_clear_line(app, runner, tmp_path):
    if dialect_of(app) != "sqlite":
        pytest.skip("relabels an SQLite file")
    live = sqlite_live_path(app)
    with sqlite3.connect(live) as connection:
        connection.execute("UPDATE lms_alembic_version SET version_num = '0099'")
    connection.close()
    result = runner.invoke(args=["init"])
    assert result.exit_code == 1
    assert "Can't locate revision identified by '0099'" in result.output
    assert "written by a newer version of the LMS" in result.output
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"not a database\n" * 100)
    other = make_app(f"sqlite:///{garbage}", tmp_path / "other-instance")
    result = other.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 1
    assert "cannot be opened: file is not a database" in result.output


def test_a_postgresql_database_that_does_not_exist_is_one_clear_line(app, good_backup, tmp_path):
    """E.g. the documented restore into an empty database, with the `createdb` forgotten."""
    if dialect_of(app) != "postgresql":
        pytest.skip("a PostgreSQL server")
    with app.app_context():
        url = app.extensions["lms"].db.engine.url.set(database="lms_no_such_database")
    missing = make_app(url.render_as_string(hide_password=False), tmp_path / "instance")
    runner = missing.test_cli_runner()
    init = runner.invoke(args=["init"])
    assert init.exit_code == 1
    assert 'database "lms_no_such_database" does not exist' in init.output
    restore = runner.invoke(args=["restore", "--yes", str(good_backup)])
    assert restore.exit_code == 1
    assert "cannot be reached, nothing was restored" in restore.output
    assert 'database "lms_no_such_database" does not exist' in restore.output
