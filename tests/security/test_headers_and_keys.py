"""Security headers on every page, a Content-Security-Policy without inline script that our
own pages satisfy, and no start in production with a guessable SECRET_KEY."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from lms import create_app
from tests.conftest import Web, signed_in
from tests.html_safety import assert_secure_headers, inline_code
from tests.test_site_links import crawl

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "4f1c0d9e8b7a65f3e2d1c0b9a8f7e6d5c4b3a29180f7e6d5"


def test_every_public_page_sends_the_headers_and_needs_no_inline_code(app, demo):
    """The signed-in pages are checked the same way by tests/test_site_links.py."""
    problems: dict[str, list[str]] = {}
    pages: set[str] = set()

    def visit(path: str, response) -> None:  # noqa: ANN001
        assert_secure_headers(response, path)
        if response.status_code == 200 and response.mimetype == "text/html":
            pages.add(path)
            found = inline_code(response.get_data(as_text=True))
            if found:
                problems[path] = found

    crawl(Web(app.test_client()), "/", visit=visit)
    assert not problems, problems
    assert len(pages) >= 5, sorted(pages)


def test_error_pages_carry_the_headers_too(client):
    for path in ("/no-such-page", "/courses/no-such-course"):
        response = client.get(path)
        assert response.status_code == 404
        assert_secure_headers(response, path)


def test_private_pages_are_not_cached_and_public_ones_may_be(app, create_user):
    user = create_user()
    web = signed_in(app, user.email, user.plain_password)
    assert web.get("/dashboard").headers["Cache-Control"] == "no-store"
    assert "Cache-Control" not in Web(app.test_client()).get("/").headers


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://ce.example.org")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


# --- SECRET_KEY in production -------------------------------------------------------------


@pytest.mark.parametrize(
    "key, reason",
    [
        ("", "no SECRET_KEY"),
        ("dev", "well-known"),
        ("change-me", "well-known"),
        ("dev-key-12345", "at least 16"),
        ("a" * 64, "too much to be random"),
        ("abababababababababababababababab", "too much to be random"),
        ("1234123412341234", "too much to be random"),
        (b"\x00" * 32, "too much to be random"),
        # Long enough and varied enough by character counts, but a guesser's first tries:
        # placeholders repeated, alphabet and keyboard runs, a phrase of common words.
        ("secretsecretsecretsecretsecretsecret", "common words, sequences or repeats"),
        ("changemechangemechangeme", "common words, sequences or repeats"),
        ("abcdefghijklmnopqrstuvwxyz", "common words, sequences or repeats"),
        ("zyxwvutsrqponmlk", "common words, sequences or repeats"),
        ("qwertyuiopasdfgh", "common words, sequences or repeats"),
        ("0123456789abcdef", "common words, sequences or repeats"),
        ("my-super-secret-key-here", "common words, sequences or repeats"),
        ("flask-secret-key-for-production-use", "common words, sequences or repeats"),
    ],
)
def test_production_refuses_to_start_with_a_weak_key(tmp_path: Path, key: str, reason: str):
    with pytest.raises(RuntimeError, match=reason):
        create_app(
            {"SECRET_KEY": key, "SQLALCHEMY_DATABASE_URI": "sqlite://"},
            instance_path=str(tmp_path),
        )


def test_random_keys_of_16_bytes_or_more_are_never_refused():
    """Whatever shape a generated key takes, the check must not refuse one by bad luck."""
    import secrets
    import uuid

    from lms.secret_key import weakness

    makers = [
        lambda: secrets.token_hex(16),
        lambda: secrets.token_urlsafe(16),
        lambda: secrets.token_bytes(16),
        lambda: uuid.uuid4().hex,
        lambda: secrets.token_hex(32),
    ]
    refused = [key for make in makers for key in (make() for _ in range(3000)) if weakness(key)]
    assert refused == []


@pytest.mark.parametrize(
    "key",
    [
        "correct-horse-battery-staple-7",  # uncommon words: a passphrase, not a placeholder
        "Tr0ub4dor&3xK9!pQzLm",
        "aZ3$kP9!mQ2@wX7#",
    ],
)
def test_keys_that_are_not_patterns_pass(key: str):
    from lms.secret_key import weakness

    assert weakness(key) is None


def test_a_weak_fallback_key_is_refused_too(tmp_path: Path):
    with pytest.raises(RuntimeError, match="SECRET_KEY_FALLBACKS, entry 1"):
        create_app(
            {
                "SECRET_KEY": STRONG_KEY,
                "SECRET_KEY_FALLBACKS": ["dev"],
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
            },
            instance_path=str(tmp_path),
        )


def test_a_strong_key_starts_and_debug_or_testing_may_use_any(tmp_path: Path):
    def build(**config) -> Flask:  # noqa: ANN003
        return create_app(
            {"SQLALCHEMY_DATABASE_URI": "sqlite://", **config}, instance_path=str(tmp_path)
        )

    assert build(SECRET_KEY=STRONG_KEY).config["SECRET_KEY"] == STRONG_KEY
    assert build(SECRET_KEY="dev", TESTING=True).testing
    assert build(SECRET_KEY="dev", DEBUG=True).debug


def _start_wsgi(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LMS_", "SECRET_KEY", "DATABASE_URL"))
    }
    environment.update(
        LMS_INSTANCE_PATH=str(tmp_path / "instance"),
        LMS_DATABASE_URL=f"sqlite:///{tmp_path / 'lms.sqlite3'}",
        LMS_BASE_URL="https://ce.example.org",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_production_entry_point_refuses_a_weak_key_from_the_environment(tmp_path: Path):
    refused = _start_wsgi(tmp_path, LMS_SECRET_KEY="secret")
    assert refused.returncode != 0
    assert "Refusing to start: the SECRET_KEY is a well-known placeholder" in refused.stderr


def test_the_production_entry_point_starts_with_a_generated_or_strong_key(tmp_path: Path):
    generated = _start_wsgi(tmp_path)
    assert generated.returncode == 0, generated.stderr
    key = (tmp_path / "instance" / "secret_key").read_text().strip()
    assert len(key) == 64 and (tmp_path / "instance" / "secret_key").stat().st_mode & 0o077 == 0
    assert _start_wsgi(tmp_path, LMS_SECRET_KEY=STRONG_KEY).returncode == 0
