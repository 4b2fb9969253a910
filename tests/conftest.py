"""Fixtures after the Flask tutorial's conftest, with Indico-style factory fixtures.

Every test gets an empty, fully migrated database: SQLite by default (a copy of a template
file migrated once per run), PostgreSQL when LMS_TEST_DATABASE_URL names one (migrated once,
emptied between tests). CSRF protection stays on: the ``web`` helper reads tokens from pages
the way a browser would.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from lms import create_app
from lms.app import sqlalchemy_url
from lms.migrate import upgrade_database
from lms.models import ALL_METADATA

PG_URL = os.environ.get("LMS_TEST_DATABASE_URL")
if os.environ.get("LMS_REQUIRE_POSTGRES") == "1" and not PG_URL:
    pytest.exit("LMS_REQUIRE_POSTGRES=1 but LMS_TEST_DATABASE_URL is not set", returncode=3)
START = datetime(2026, 3, 2, 9, 0, 0)


def _pg_reset_schema(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _pg_truncate(url: str) -> None:
    tables = [t.name for metadata in ALL_METADATA for t in metadata.sorted_tables]
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        # The rows migrations seed, as a freshly migrated database has them.
        conn.execute(
            text("INSERT INTO lms_ledger_head (id, seq, entry_hash) VALUES (1, 0, :h)"),
            {"h": "0" * 64},
        )
    engine.dispose()


def make_app(database_url: str, instance: Path, **config: Any) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "LMS_MAIL_BACKEND": "file",
            "LMS_MAIL_DIR": str(instance / "mail"),
            # Many tests move the injected clock by months while someone stays signed in; the
            # sign-in age limit has its own tests (tests/security/test_sessions.py).
            "LMS_SESSION_MAX_AGE_HOURS": 24 * 365 * 20,
            **config,
        },
        instance_path=str(instance),
    )


@pytest.fixture(autouse=True)
def quick_password_hashes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """One-round PBKDF2 instead of scrypt (0.1 s a hash, and every test signs people up and
    in): hashing cost is not what most tests are about. Tests marked
    ``real_password_hashing`` keep the production hash (tests/test_accounts.py)."""
    if request.node.get_closest_marker("real_password_hashing"):
        return
    from werkzeug.security import generate_password_hash

    from lms.accounts import operations

    def quick(password: str) -> str:
        return generate_password_hash(password, method="pbkdf2:sha256:1")

    monkeypatch.setattr(operations, "generate_password_hash", quick)
    monkeypatch.setattr(operations, "_DUMMY_HASH", quick("not-a-real-password"))


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database: a SQLite file to copy, or the PostgreSQL URL once migrated."""
    folder = tmp_path_factory.mktemp("template")
    if PG_URL:
        url = sqlalchemy_url(PG_URL)
        _pg_reset_schema(url)
        upgrade_database(make_app(url, folder))
        return url
    path = folder / "template.sqlite3"
    app = make_app(f"sqlite:///{path}", folder)
    upgrade_database(app)
    with app.app_context():
        app.extensions["lms"].db.engine.dispose()
    return str(path)


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> Iterator[str]:
    if PG_URL:
        _pg_truncate(database_template)
        yield database_template
        return
    path = tmp_path / "lms.sqlite3"
    shutil.copyfile(database_template, path)
    yield f"sqlite:///{path}"


class Clock:
    """Injected time: tests move it instead of sleeping."""

    def __init__(self, start: datetime = START) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[Flask]:
    app = make_app(database_url, tmp_path / "instance")
    app.extensions["lms"].clock = clock
    yield app
    with app.app_context():
        app.extensions["lms"].db.session.remove()
        app.extensions["lms"].db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # noqa: ANN201
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Web:
    """Drives the test client like a person with a browser: forms carry the page's CSRF token."""

    def __init__(self, client: FlaskClient, prefix: str = "") -> None:
        self.client = client
        self.prefix = prefix

    def get(self, path: str, **kwargs: Any):  # noqa: ANN201
        return self.client.get(self.prefix + path, **kwargs)

    def token(self, page: str) -> str:
        response = self.get(page)
        match = CSRF_RE.search(response.get_data(as_text=True))
        assert match, f"no form with a CSRF token on {page} ({response.status_code})"
        return match.group(1)

    def submit(
        self,
        page: str,
        data: dict[str, Any] | None = None,
        action: str | None = None,
        **kwargs: Any,
    ):  # noqa: ANN201
        """Open ``page``, then post ``data`` with its CSRF token to ``action`` (default: page)."""
        payload = {"csrf_token": self.token(page), **(data or {})}
        return self.client.post(self.prefix + (action or page), data=payload, **kwargs)

    def login(self, email: str, password: str) -> None:
        response = self.submit("/login", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)

    def logout(self) -> None:
        self.submit("/dashboard", action="/logout")


@pytest.fixture
def web(client: FlaskClient) -> Web:
    return Web(client)


@pytest.fixture
def create_user(app: Flask, clock: Clock) -> Callable[..., Any]:
    from lms.accounts.operations import create_user as create

    counter = iter(range(1, 10_000))

    def factory(
        role: str = "learner",
        name: str | None = None,
        email: str | None = None,
        password: str = "correct horse battery",
    ) -> Any:
        n = next(counter)
        with app.app_context():
            user = create(
                name=name or f"Test {role.title()} {n}",
                email=email or f"{role}{n}@example.org",
                password=password,
                role=role,
                now=clock(),
            )
            return SimpleNamespace(
                id=user.id,
                name=user.name,
                email=user.email,
                role=user.role,
                plain_password=password,
            )

    return factory


@pytest.fixture
def demo(app: Flask) -> None:
    """The demo data set: provider, certifications, three courses, demo accounts."""
    from lms.demo import seed_demo_data

    with app.app_context():
        seed_demo_data()


DEMO_SLUG = "hot-water-extraction-fundamentals"  # published, owned by the demo trainer


def signed_in(app: Flask, email: str, password: str) -> Web:
    web = Web(app.test_client())
    web.login(email, password)
    return web


@pytest.fixture
def trainer(app: Flask, demo: None) -> Web:
    """The demo trainer, who owns the three demo courses."""
    return signed_in(app, "trainer@example.com", "trainer-demo-pass")


@pytest.fixture
def admin(app: Flask, demo: None) -> Web:
    return signed_in(app, "admin@example.com", "admin-demo-pass")


@pytest.fixture
def other_trainer(app: Flask, demo: None, create_user: Callable[..., Any]) -> Web:
    """A second trainer, who owns no course."""
    user = create_user(role="trainer")
    return signed_in(app, user.email, user.plain_password)


@pytest.fixture
def draft(app: Flask, demo: None, clock: Clock) -> str:
    """Version 2 of the first demo course, as a draft (a copy of the published version 1).
    Returns its studio address, /studio/courses/<slug>/v2."""
    from lms.catalogue.operations import published_course
    from lms.db import session
    from lms.studio.lifecycle import new_version

    with app.app_context():
        new_version(published_course(DEMO_SLUG), clock())
        session().commit()
    return f"/studio/courses/{DEMO_SLUG}/v2"


def wrong_response(question: Any) -> list[str]:
    """A response to a stored question that earns nothing (the oracle for failing answers)."""
    from quizzes.types import QUESTION_TYPES

    config = question.config
    if "choices" in config:
        return [next(c["id"] for c in config["choices"] if Decimal(c["weight"]) <= 0)]
    if question.qtype == "short":
        return ["certainly not the answer"]
    if question.qtype == "numeric":
        return ["-987654321"]
    right = QUESTION_TYPES[question.qtype].correct_response(config)
    if question.qtype == "matching":  # everyone paired with the next item's option
        answers = [r.split(":")[1] for r in right]
        return [f"{r.split(':')[0]}:{answers[(n + 1) % len(answers)]}" for n, r in enumerate(right)]
    return right[1:] + right[:1]  # ordering: rotated, so no item is in its place


def _quiz_answers(
    app: Flask, course_slug: str, correct: bool, version: int | None = None
) -> dict[str, list[str]]:
    from sqlalchemy import select

    from lms.catalogue.models import Course
    from quizzes.models import Question
    from quizzes.types import QUESTION_TYPES

    with app.app_context():
        db = app.extensions["lms"].db.session
        query = select(Course).where(Course.slug == course_slug).order_by(Course.version)
        if version is not None:
            query = query.where(Course.version == version)
        course = db.scalars(query).first()  # version 1 unless asked
        questions = db.scalars(select(Question).where(Question.quiz_id == course.final_quiz_id))
        return {
            f"q-{q.id}": (
                QUESTION_TYPES[q.qtype].correct_response(q.config) if correct else wrong_response(q)
            )
            for q in questions
        }


def answer_key(app: Flask, course_slug: str, version: int | None = None) -> dict[str, list[str]]:
    """The correct answers of a course's final quiz (version 1 unless asked), read from the
    database as a test oracle."""
    return _quiz_answers(app, course_slug, correct=True, version=version)


def wrong_key(app: Flask, course_slug: str) -> dict[str, list[str]]:
    """Answers that get every question wrong."""
    return _quiz_answers(app, course_slug, correct=False)


def complete_modules(web: Web, slug: str) -> None:
    """Read every module in order, pressing "Mark as done" on each, as a learner would."""
    for _ in range(50):
        response = web.get(f"/courses/{slug}/continue")
        assert response.status_code == 302
        target = response.headers["Location"].removeprefix(web.prefix)
        if target.endswith("/quiz"):
            return
        done = web.submit(target, action=target + "/complete")
        assert done.status_code == 302, done.get_data(as_text=True)
    raise AssertionError("the course never reached its quiz")


ATTEMPT_ACTION_RE = re.compile(r'action="[^"]*/quiz/(\d+)"')


def start_quiz(web: Web, slug: str) -> int:
    """Start (or resume) the final quiz; return the attempt id from the form."""
    response = web.submit(f"/courses/{slug}/quiz", action=f"/courses/{slug}/quiz/start")
    assert response.status_code == 302, response.get_data(as_text=True)
    page = web.get(f"/courses/{slug}/quiz").get_data(as_text=True)
    match = ATTEMPT_ACTION_RE.search(page)
    assert match, "the quiz page shows no attempt form"
    return int(match.group(1))


class StatementCounter:
    """Counts SQL statements the app sends, to hold pages to a fixed number of queries."""

    def __init__(self, app: Flask) -> None:
        with app.app_context():
            self.engine = app.extensions["lms"].db.engine
        self.count = 0

    def _on_execute(self, *_args: Any) -> None:
        self.count += 1

    def during(self, action: Callable[[], Any]) -> int:
        from sqlalchemy import event

        self.count = 0
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        try:
            action()
        finally:
            event.remove(self.engine, "before_cursor_execute", self._on_execute)
        return self.count


@pytest.fixture
def statements(app: Flask) -> StatementCounter:
    return StatementCounter(app)
