"""Bringing the database to the newest migration, for the standalone app and for hosts."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from flask import Flask

from lms.extension import MIGRATIONS_DIR


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade_database(app: Flask, revision: str = "head") -> None:
    """Create or upgrade the LMS's tables (idempotent). Hosts call this from their deploy step."""
    with app.app_context():
        command.upgrade(alembic_config(), revision)
