"""How transactions begin on SQLite (lms/db.py): BEGIN IMMEDIATE for every write path (unsafe
requests, CLI commands, code outside a request), no BEGIN for a GET (reads lock nothing; a
write there would begin IMMEDIATE), the per-engine override, and a host's user mirrored on a
POST without waiting for the request's own write lock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, redirect, request
from flask.testing import FlaskClient
from flask_login import LoginManager, UserMixin, login_user
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String, event, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from lms import LMS, FlaskLoginHostAdapter
from lms.accounts.models import User
from lms.db import holds_sqlite_transaction
from lms.demo import seed_demo_data
from lms.migrate import upgrade_database
from tests.conftest import PG_URL, Web

sqlite_only = pytest.mark.skipif(
    bool(PG_URL), reason="how transactions begin on SQLite (PostgreSQL's are unchanged)"
)
SLUG = "moisture-mapping-and-drying-documentation"


def begins(app: Flask, action: Callable[[], Any]) -> list[str]:
    """The BEGIN statements the app sent while ``action`` ran."""
    with app.app_context():
        engine = app.extensions["lms"].db.engine
    seen: list[str] = []

    def record(*args: Any) -> None:
        if args[2].startswith("BEGIN"):
            seen.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


@sqlite_only
def test_a_post_begins_immediate_and_a_get_begins_nothing(app: Flask, demo: None) -> None:
    web = Web(app.test_client())
    token = web.token("/login")
    assert begins(app, lambda: web.get("/")) == []
    posted = begins(
        app,
        lambda: web.client.post(
            "/login", data={"csrf_token": token, "email": "x@example.org", "password": "wrong pw"}
        ),
    )
    assert posted and set(posted) == {"BEGIN IMMEDIATE"}


@sqlite_only
def test_code_outside_a_request_reads_without_the_lock_and_writes_immediate(app: Flask) -> None:
    """A command, a shell or a host's job that only reads must not keep the site's writes
    waiting (``lms demo`` serving after its seeding read, a mail sent after its commit)."""
    with app.app_context():
        engine = app.extensions["lms"].db.engine

    def read_then_write() -> None:
        with app.app_context():
            db = app.extensions["lms"].db.session
            db.execute(text("SELECT count(*) FROM lms_user"))
            assert not holds_sqlite_transaction(db)
            # Another connection writes meanwhile, without waiting for a lock.
            with engine.connect().execution_options(lms_sqlite_begin="IMMEDIATE") as other:
                other.execute(text("UPDATE lms_ledger_head SET seq = seq WHERE id = 1"))
                other.commit()
            db.execute(text("UPDATE lms_ledger_head SET seq = seq WHERE id = 1"))
            assert holds_sqlite_transaction(db)
            db.rollback()
            db.remove()

    # Only the other connection's BEGIN is ours; the first write's BEGIN IMMEDIATE is the
    # driver's (shown by holds_sqlite_transaction above).
    assert begins(app, read_then_write) == ["BEGIN IMMEDIATE"]


@sqlite_only
def test_a_cli_command_that_only_reads_takes_no_lock(app: Flask) -> None:
    runner = app.test_cli_runner()
    results: list[Any] = []
    seen = begins(app, lambda: results.append(runner.invoke(args=["verify-ledger"])))
    assert results[0].exit_code == 0, results[0].output
    assert seen == []


@sqlite_only
@pytest.mark.parametrize(
    ("mode", "expected"),
    [("DEFERRED", ["BEGIN"]), ("STATEMENT", []), ("IMMEDIATE", ["BEGIN IMMEDIATE"])],
)
def test_an_engine_may_choose_how_its_transactions_begin(
    app: Flask, mode: str, expected: list[str]
) -> None:
    def read() -> None:
        with app.app_context():
            engine = app.extensions["lms"].db.engine.execution_options(lms_sqlite_begin=mode)
            with Session(engine) as db:
                db.execute(text("SELECT 1"))

    assert begins(app, read) == expected


@sqlite_only
def test_a_get_that_writes_takes_the_write_lock_at_its_first_write(app: Flask) -> None:
    with app.test_request_context("/", method="GET"):
        db = app.extensions["lms"].db.session
        db.execute(text("SELECT count(*) FROM lms_user"))
        assert not holds_sqlite_transaction(db)  # a read holds nothing
        db.execute(text("UPDATE lms_ledger_head SET seq = seq WHERE id = 1"))
        assert holds_sqlite_transaction(db)  # BEGIN IMMEDIATE, by the driver, before the write
        db.rollback()
        db.remove()


# A host's user, mirrored on a POST -----------------------------------------------------


class HostBase(DeclarativeBase):
    pass


class Member(UserMixin, HostBase):
    __tablename__ = "host_member"
    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(100))
    mail: Mapped[str] = mapped_column(String(100))


@pytest.fixture
def host(database_url: str, tmp_path: Path) -> Iterator[tuple[Flask, SQLAlchemy]]:
    host = Flask("sqlite_host", instance_path=str(tmp_path))
    host.config.update(
        SECRET_KEY="host-secret-for-the-transaction-tests",
        SQLALCHEMY_DATABASE_URI=database_url,
        LMS_MAIL_BACKEND="file",  # a host on a database server names it
        LMS_URL_PREFIX="/learn",
        LMS_MAIL_DIR=str(tmp_path / "mail"),
        LMS_BASE_URL="https://host.example",
        # A self-deadlock would wait this long, then fail with "database is locked".
        LMS_SQLITE_BUSY_TIMEOUT_MS=2000,
    )
    db = SQLAlchemy(model_class=HostBase)
    db.init_app(host)
    manager = LoginManager(host)
    manager.user_loader(lambda uid: db.session.get(Member, int(uid)))

    @host.get("/sign-in")
    def sign_in():  # noqa: ANN202
        login_user(db.session.get(Member, int(request.args["uid"])))
        return redirect("/")

    adapter = FlaskLoginHostAdapter(
        "sign_in", name_of=lambda m: m.display_name, email_of=lambda m: m.mail
    )
    LMS(host, db=db, user_adapter=adapter)
    upgrade_database(host)
    with host.app_context():
        seed_demo_data()
        Member.__table__.create(db.engine)
        db.session.add(Member(id=7, display_name="Robin Host", mail="robin@host.example"))
        db.session.commit()
    yield host, db
    with host.app_context():
        db.session.remove()
        # On PostgreSQL the database outlives the test: leave no host table behind.
        Member.__table__.drop(db.engine, checkfirst=True)
        db.engine.dispose()


def test_a_host_user_renamed_then_posting_is_mirrored_without_waiting(
    host: tuple[Flask, SQLAlchemy],
) -> None:
    """The host's user loader opens the request's transaction (BEGIN IMMEDIATE on a POST)
    before the LMS sees the new name: the mirror row is updated in that transaction, not from
    a second connection that would wait for its lock."""
    app, db = host
    client: FlaskClient = app.test_client()
    client.get("/sign-in?uid=7")
    web = Web(client, prefix="/learn")
    token = web.token(f"/courses/{SLUG}")  # a GET: the mirror row is created
    with app.app_context():
        db.session.get(Member, 7).display_name = "Robin Renamed"
        db.session.commit()
    enrolled = client.post(f"/learn/courses/{SLUG}/enrol", data={"csrf_token": token})
    assert enrolled.status_code == 302, enrolled.get_data(as_text=True)
    with app.app_context():
        mirrored = db.session.scalars(select(User).where(User.external_id == "7")).one()
        assert mirrored.name == "Robin Renamed"
