"""Storage: migrations match the models; SQLite is opened with WAL, a busy timeout and FKs."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from lms.migrate import alembic_config
from lms.models import ALL_METADATA


def test_the_migrated_schema_matches_the_models(app):
    with app.app_context():
        engine = app.extensions["lms"].db.engine
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"compare_type": True, "version_table": "lms_alembic_version"},
            )
            assert compare_metadata(context, ALL_METADATA) == []
            head = ScriptDirectory.from_config(alembic_config()).get_current_head()
            assert context.get_current_revision() == head


def test_every_table_is_created_by_a_migration(app):
    with app.app_context():
        tables = set(inspect(app.extensions["lms"].db.engine).get_table_names())
    expected = {t.name for metadata in ALL_METADATA for t in metadata.tables.values()}
    assert expected <= tables
    assert "lms_alembic_version" in tables


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(app):
    with app.app_context():
        engine = app.extensions["lms"].db.engine
        if engine.dialect.name != "sqlite":
            pytest.skip("SQLite settings only")
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_foreign_keys_are_enforced(app):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        engine = app.extensions["lms"].db.engine
        with engine.connect() as connection, pytest.raises(IntegrityError):
            connection.execute(
                text(
                    "INSERT INTO lms_enrolment (user_id, course_id, course_version, enrolled_at)"
                    " VALUES (424242, 424242, 1, '2026-01-01 00:00:00')"
                )
            )


def test_the_database_url_setting_chooses_postgresql_through_psycopg(tmp_path, monkeypatch):
    from lms import create_app

    # A database server needs these set explicitly (lms.deployment; tests/test_fail_safe.py).
    monkeypatch.setenv("LMS_SECRET_KEY", "9c1e5a7f3b2d4e6f8a0b1c2d3e4f5a6b")
    monkeypatch.setenv("LMS_MAIL_BACKEND", "smtp")
    monkeypatch.setenv("LMS_DATABASE_URL", "postgresql://u@db.example/lms")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/lms"
    monkeypatch.delenv("LMS_DATABASE_URL")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example/other")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/other"
    monkeypatch.delenv("DATABASE_URL")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'lms.sqlite3'}"


def test_the_suite_runs_on_the_database_it_was_given(app):
    """In CI's PostgreSQL run this proves the run did not quietly fall back to SQLite."""
    from tests.conftest import PG_URL

    with app.app_context():
        dialect = app.extensions["lms"].db.engine.dialect.name
    assert dialect == ("postgresql" if PG_URL else "sqlite")
