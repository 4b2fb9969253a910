"""No state changes on GET: every GET route of the URL map, filled with real objects (found by
walking the map, so a route added later is covered), opened by an anonymous visitor, a
learner, a graduate, a trainer and an admin, leaves every table and the instance folder (mail,
keys) exactly as they were."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from tests.security.test_csrf_walk import (
    build_world,
    changed_tables,
    table_snapshot,
    urls_of,
    walk,
)

ROLES = ("anonymous", "learner", "graduate", "trainer", "admin")
#: GET addresses (with the world's variants) walked today; losing one fails the walk.
GET_URLS_FLOOR = 98


def instance_files(app: Flask) -> dict[str, str]:
    """Every file under the instance folder (the mail folder, the signing keys): its SHA-256."""
    root = Path(app.instance_path)
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def changed_files(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))


class CommitWatch:
    """Whether anything was committed since the last look, to spare a full snapshot after
    every request: SQLite's ``PRAGMA data_version`` on a connection of our own changes with
    every commit by any other connection. Elsewhere it always answers "maybe"."""

    def __init__(self, app: Flask) -> None:
        with app.app_context():
            url = app.extensions["lms"].db.engine.url
        self.connection = (
            sqlite3.connect(url.database) if url.get_backend_name() == "sqlite" else None
        )
        self.version = self._version()

    def _version(self) -> int | None:
        if self.connection is None:
            return None
        return self.connection.execute("PRAGMA data_version").fetchone()[0]

    def committed(self) -> bool:
        version = self._version()
        changed = version is None or version != self.version
        self.version = version
        return changed

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def reached(response: TestResponse) -> bool:
    """The page let this person in (neither refused, missing, nor sent to sign in)."""
    return response.status_code not in (401, 403, 404) and "/login" not in response.headers.get(
        "Location", ""
    )


def test_no_get_route_changes_the_database_or_the_instance_folder(
    app: Flask, create_user: Callable[..., Any], clock: Any
) -> None:
    world = build_world(app, create_user, clock)
    # Mail in the instance folder to watch (and a message in the outbox table): a reset link.
    reset = world.webs["anonymous"].submit("/reset", {"email": "graduate@example.com"})
    assert reset.status_code == 302, reset.get_data(as_text=True)
    urls = [url for rule, _ in walk(app, frozenset({"GET"})) for url in urls_of(world, rule, True)]

    start_tables, start_files = table_snapshot(app), instance_files(app)
    assert any(name.startswith("mail") for name in start_files), "no mail to watch"
    tables, files = start_tables, start_files
    watch = CommitWatch(app)
    writes: list[tuple[str, str, int, list]] = []
    statuses: dict[int, int] = {}
    unreached = set(urls)
    try:
        for role in ROLES:
            web = world.webs[role]
            for url in urls:
                response = web.get(url)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if reached(response):
                    unreached.discard(url)
                changed: list = []
                if watch.committed():
                    now_tables = table_snapshot(app)
                    changed += changed_tables(tables, now_tables)
                    tables = now_tables
                now_files = instance_files(app)
                changed += changed_files(files, now_files)
                files = now_files
                if changed:
                    writes.append((role, url, response.status_code, changed))
    finally:
        watch.close()
    print(
        f"GET walk: {len(urls)} addresses x {len(ROLES)} roles = {len(urls) * len(ROLES)} "
        f"requests, statuses: {dict(sorted(statuses.items()))}"
    )
    assert writes == []
    # Whatever the watch said, the whole walk changed nothing.
    assert changed_tables(start_tables, table_snapshot(app)) == []
    assert changed_files(start_files, instance_files(app)) == []
    # Not vacuous: every address was filled with objects someone may open.
    assert unreached == set()
    assert len(urls) >= GET_URLS_FLOOR, urls


@pytest.mark.parametrize("where", ["table", "file"])
def test_the_snapshots_and_the_watch_see_a_write(app: Flask, where: str) -> None:
    """The oracles can fail: one changed row or one new mail file is noticed."""
    from sqlalchemy import update

    from lms.accounts.models import User
    from lms.demo import seed_demo_data

    with app.app_context():
        seed_demo_data()
    tables, files = table_snapshot(app), instance_files(app)
    watch = CommitWatch(app)
    try:
        if where == "table":
            assert app.test_client().get("/").status_code == 200
            assert watch.committed() is (watch.connection is None)  # a read commits nothing
            with app.app_context():
                db = app.extensions["lms"].db.session
                db.execute(update(User).where(User.role == "admin").values(name="Changed"))
                db.commit()
            assert watch.committed()
            changed = changed_tables(tables, table_snapshot(app))
            assert [name for name, *_ in changed] == ["lms_user"]
        else:
            mail = Path(app.config["LMS_MAIL_DIR"])
            mail.mkdir(parents=True, exist_ok=True)
            (mail / "new.eml").write_text("Subject: hello\n")
            assert changed_files(files, instance_files(app)) == ["mail/new.eml"]
    finally:
        watch.close()
