"""Alembic environment for the LMS's tables (its own, the quiz engine's and the certificate
engine's). Runs inside a Flask app context; the version table is ``lms_alembic_version`` so a
host application's own Alembic history is never touched."""

from __future__ import annotations

from alembic import context
from flask import current_app

from lms.models import ALL_METADATA

VERSION_TABLE = "lms_alembic_version"
OUR_PREFIXES = ("lms_", "quiz_", "cert_")


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    # Ignore a host's tables sharing the database.
    return type_ != "table" or bool(name and name.startswith(OUR_PREFIXES))


def run_migrations() -> None:
    engine = current_app.extensions["lms"].db.engine
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=ALL_METADATA,
            version_table=VERSION_TABLE,
            include_name=include_name,
            render_as_batch=True,  # SQLite alters tables by copying them
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
