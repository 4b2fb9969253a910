"""The LMS's own tables, the database session and SQLite's connection settings."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Base(DeclarativeBase):
    """Base of the plugin's models (tables prefixed ``lms_``)."""

    metadata = metadata


def session() -> Session:
    """The request's (or CLI command's) session, from the Flask-SQLAlchemy instance in use."""
    return current_app.extensions["lms"].db.session


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL for concurrent readers, a busy timeout instead of instant 'locked', foreign keys on."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
