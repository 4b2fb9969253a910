"""Alembic environment for the LMS's tables (its own, the quiz engine's and the certificate
engine's). Runs inside a Flask app context; the version table is ``lms_alembic_version`` so a
host application's own Alembic history is never touched."""

from __future__ import annotations

from alembic import context
from flask import current_app
from sqlalchemy import text

from lms.db import sqlite_pragma_outside_transaction
from lms.models import ALL_METADATA

VERSION_TABLE = "lms_alembic_version"
OUR_PREFIXES = ("lms_", "quiz_", "cert_")
#: The PostgreSQL advisory lock migrations hold (an arbitrary number of the LMS's own).
MIGRATION_LOCK = 0x4C4D5301


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    # Ignore a host's tables sharing the database.
    return type_ != "table" or bool(name and name.startswith(OUR_PREFIXES))


def run_migrations() -> None:
    engine = current_app.extensions["lms"].db.engine
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters a table by copying and dropping it, which foreign keys would
            # refuse; the pragma only takes effect outside a transaction, so it goes before
            # ours (BEGIN IMMEDIATE: every migration and the check below, all or nothing).
            sqlite_pragma_outside_transaction(connection, "PRAGMA foreign_keys=OFF")
            connection.begin()
        context.configure(
            connection=connection,
            target_metadata=ALL_METADATA,
            version_table=VERSION_TABLE,
            include_name=include_name,
            render_as_batch=True,  # SQLite alters tables by copying them
            compare_type=True,
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # `lms init` on several hosts at once: one migrates, the others wait here and
                # then find the schema current (the lock ends with the transaction).
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                )
            context.run_migrations()
            if sqlite:
                broken = connection.execute(text("PRAGMA foreign_key_check")).all()
                if broken:
                    raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
        connection.commit()
        if sqlite:
            sqlite_pragma_outside_transaction(connection, "PRAGMA foreign_keys=ON")


run_migrations()
