"""The LMS's own tables, the database session and SQLite's connection settings."""

from __future__ import annotations

from typing import Any, Literal

from flask import current_app, has_request_context, request
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

#: Requests with these methods must not write: the CSRF check (lms.extension) skips them.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

#: Execution option naming how a transaction begins on SQLite (ignored elsewhere), e.g.
#: ``Session(engine.execution_options(lms_sqlite_begin="STATEMENT"))``:
#:
#: * ``"IMMEDIATE"``: ``BEGIN IMMEDIATE``, the write lock taken (or waited for, up to the busy
#:   timeout) before the first statement, so everything the transaction read is still true
#:   when it writes. A deferred transaction that reads, then writes after another connection
#:   committed, fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT, no busy wait).
#: * ``"DEFERRED"``: ``BEGIN``: one snapshot for every read, no lock until the first write.
#: * ``"STATEMENT"``: no ``BEGIN``: each read sees the newest commit (as PostgreSQL's READ
#:   COMMITTED does) and holds nothing; the first INSERT/UPDATE/DELETE begins IMMEDIATE.
SQLITE_BEGIN = "lms_sqlite_begin"
SqliteBegin = Literal["IMMEDIATE", "DEFERRED", "STATEMENT"]


class Base(DeclarativeBase):
    """Base of the plugin's models (tables prefixed ``lms_``)."""

    metadata = metadata


def session() -> Session:
    """The request's (or CLI command's) session, from the Flask-SQLAlchemy instance in use."""
    return current_app.extensions["lms"].db.session


def sqlite_begin_mode(connection: Connection) -> SqliteBegin:
    """How a transaction on SQLite begins: as the ``lms_sqlite_begin`` execution option says;
    else ``IMMEDIATE`` in a request whose method is unsafe (POST: everything it read still
    holds when it writes); else ``STATEMENT`` (GETs must not write; CLI commands and other code
    outside a request must not hold the write lock while they only read, e.g. between an
    e-mail's commit and its sending, or while ``lms demo`` serves: their first write begins
    IMMEDIATE)."""
    chosen = connection.get_execution_options().get(SQLITE_BEGIN)
    if chosen is not None:
        if chosen not in ("IMMEDIATE", "DEFERRED", "STATEMENT"):
            raise ValueError(f"{SQLITE_BEGIN} must be IMMEDIATE, DEFERRED or STATEMENT: {chosen!r}")
        return chosen
    if has_request_context() and request.method not in SAFE_METHODS:
        return "IMMEDIATE"
    return "STATEMENT"


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL for concurrent readers, a busy timeout instead of instant 'locked', foreign keys on,
    and transactions that begin as ``sqlite_begin_mode`` says.

    SQLAlchemy's recipe for real transactions with the sqlite3 driver (its SQLite dialect's
    "Enabling Non-Legacy SQLite Transactional Modes"): the driver's own implicit BEGIN is
    turned off on connect (``isolation_level = None``) and the ``begin`` event emits ours, so
    reads are inside the transaction, SAVEPOINTs nest in it and DDL is transactional."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Off before the pragmas, so none runs inside a transaction (foreign_keys would be
        # ignored there).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        dbapi_connection = connection.connection.dbapi_connection
        if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            _set_driver_begin(dbapi_connection, None)
            return
        mode = sqlite_begin_mode(connection)
        if mode == "STATEMENT":
            # The driver's legacy mode: no BEGIN for reads, BEGIN IMMEDIATE before a write.
            _set_driver_begin(dbapi_connection, "IMMEDIATE")
            return
        _set_driver_begin(dbapi_connection, None)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")


def _set_driver_begin(dbapi_connection: Any, isolation_level: str | None) -> None:
    # Only between transactions (the begin event), where setting it commits nothing.
    if dbapi_connection.isolation_level != isolation_level:
        dbapi_connection.isolation_level = isolation_level


def sqlite_pragma_outside_transaction(connection: Connection, pragma: str) -> None:
    """Run a PRAGMA that SQLite ignores inside a transaction (``foreign_keys``) on a connection
    that has none open: straight on the driver's connection, so no BEGIN precedes it."""
    if connection.in_transaction():
        raise RuntimeError(f"{pragma!r} would be ignored inside the open transaction")
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(pragma)
    finally:
        cursor.close()


def holds_sqlite_transaction(db: Session | scoped_session[Session]) -> bool:
    """True when ``db`` has a transaction open on SQLite (from its BEGIN, or from a first write
    under ``STATEMENT``): a write through another connection would wait for it (the write lock)
    until the busy timeout, or commit behind its snapshot. Such writes go through ``db``."""
    if isinstance(db, scoped_session):  # Flask-SQLAlchemy's: the request's own Session
        db = db()
    if not db.in_transaction():
        return False
    connection = db.connection()
    return connection.dialect.name == "sqlite" and bool(
        connection.connection.dbapi_connection.in_transaction
    )
