"""A test's own database: a new SQLite file, or a new PostgreSQL database on the server that
LMS_TEST_DATABASE_URL names (the shared test database's schema belongs to the other tests)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lms.app import sqlalchemy_url
from tests.conftest import PG_URL

#: The kinds a test can ask for; "postgresql" is skipped without LMS_TEST_DATABASE_URL.
KINDS = ["sqlite", "postgresql"]


@contextmanager
def scratch_database(kind: str, tmp_path: Path, purpose: str) -> Iterator[str]:
    """Yield the SQLAlchemy URL of an empty database (an SQLite file not yet created), dropped
    afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / f'{purpose}.sqlite3'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL part: LMS_TEST_DATABASE_URL is not set")
    server = make_url(sqlalchemy_url(PG_URL))
    name = f"lms_{purpose}_{secrets.token_hex(6)}"  # a fixed alphabet: safe to put into SQL
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            # FORCE: a failed test may leave a connection open; the database must still go.
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
