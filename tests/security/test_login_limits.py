"""Password guessing is limited per account (from any address) and per client address;
X-Forwarded-For changes the client address only when the app is told to trust a proxy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from lms.accounts.models import User
from tests.conftest import Web, make_app

ACCOUNT_LIMIT = 4
CLIENT_LIMIT = 6


def _limited(app: Flask) -> Flask:
    app.config["LMS_LOGIN_ACCOUNT_LIMIT"] = f"{ACCOUNT_LIMIT} per 15 minutes"
    app.config["LMS_LOGIN_CLIENT_LIMIT"] = f"{CLIENT_LIMIT} per 15 minutes"
    return app


@pytest.fixture
def limited(app: Flask) -> Flask:
    return _limited(app)


@pytest.fixture
def behind_proxy(database_url: str, tmp_path, clock) -> Iterator[Flask]:  # noqa: ANN001
    """The app as deployed behind one reverse proxy that sets X-Forwarded-For."""
    app = _limited(make_app(database_url, tmp_path / "proxied", LMS_TRUSTED_PROXIES=1))
    app.extensions["lms"].clock = clock
    yield app
    with app.app_context():
        app.extensions["lms"].db.engine.dispose()


def _users(app: Flask, count: int) -> list[str]:
    from lms.accounts.operations import create_user
    from lms.clock import now

    with app.app_context():
        emails = [
            create_user(
                name=f"Tech {n}",
                email=f"tech{n}@example.org",
                password="correct horse battery",
                role="learner",
                now=now(),
            ).email
            for n in range(count)
        ]
        assert len(app.extensions["lms"].db.session.query(User).all()) == count
    return emails


def _sign_in(
    app: Flask, email: str, password: str, address: str = "198.51.100.7", forwarded: str = ""
) -> int:
    web = Web(app.test_client())
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    response = web.submit(
        "/login",
        {"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )
    if response.status_code == 429:
        assert "Too many failed sign-ins" in response.get_data(as_text=True)
        assert int(response.headers["Retry-After"]) > 0
    return response.status_code


def test_failures_on_one_account_lock_it_from_every_address(limited):
    (email,) = _users(limited, 1)
    codes = [
        _sign_in(limited, email, "guess", address=f"203.0.113.{n}") for n in range(ACCOUNT_LIMIT)
    ]
    assert codes == [401] * ACCOUNT_LIMIT
    # Even the right password, from a fresh address, waits now.
    assert _sign_in(limited, email, "correct horse battery", address="192.0.2.99") == 429


def test_a_rotating_x_forwarded_for_does_not_escape_either_limit(limited):
    """No proxy is trusted by default: the header is the client's own invention."""
    emails = _users(limited, CLIENT_LIMIT + 1)
    codes = [
        _sign_in(limited, email, "guess", forwarded=f"10.0.0.{n}")
        for n, email in enumerate(emails[:CLIENT_LIMIT])
    ]
    assert codes == [401] * CLIENT_LIMIT
    # A new account and a new forged address: still the same client.
    assert _sign_in(limited, emails[-1], "correct horse battery", forwarded="10.9.9.9") == 429
    # Another client is not affected.
    assert _sign_in(limited, emails[-1], "correct horse battery", address="192.0.2.50") == 302


def test_failures_from_one_client_across_accounts_are_limited(limited):
    emails = _users(limited, CLIENT_LIMIT + 1)
    for email in emails[:CLIENT_LIMIT]:
        assert _sign_in(limited, email, "guess") == 401
    assert _sign_in(limited, emails[-1], "correct horse battery") == 429


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(behind_proxy):
    emails = _users(behind_proxy, CLIENT_LIMIT + 1)
    for email in emails[:CLIENT_LIMIT]:
        assert _sign_in(behind_proxy, email, "guess", forwarded="198.51.100.20") == 401
    assert _sign_in(behind_proxy, emails[-1], "guess", forwarded="198.51.100.20") == 429
    # Everyone else behind the same proxy signs in as usual.
    assert _sign_in(behind_proxy, emails[-1], "correct horse battery", forwarded="1.2.3.4") == 302


def test_behind_a_trusted_proxy_rotating_addresses_still_hit_the_account_limit(behind_proxy):
    (email,) = _users(behind_proxy, 1)
    for n in range(ACCOUNT_LIMIT):
        assert _sign_in(behind_proxy, email, "guess", forwarded=f"203.0.113.{n}") == 401
    assert _sign_in(behind_proxy, email, "correct horse battery", forwarded="1.2.3.4") == 429


def test_successful_sign_ins_do_not_count(limited):
    (email,) = _users(limited, 1)
    for _ in range(ACCOUNT_LIMIT + CLIENT_LIMIT):
        assert _sign_in(limited, email, "correct horse battery") == 302
    assert _sign_in(limited, email, "guess") == 401


def test_the_account_key_ignores_case_and_spaces(limited):
    (email,) = _users(limited, 1)
    variants = [email.upper(), f"  {email}", email.title(), email]
    for n, variant in enumerate(variants[:ACCOUNT_LIMIT]):
        assert _sign_in(limited, variant, "guess", address=f"203.0.113.{n}") == 401
    assert _sign_in(limited, email, "correct horse battery", address="192.0.2.1") == 429


def test_reset_e_mails_per_address_are_limited(app):
    from pathlib import Path

    (email,) = _users(app, 1)
    limit = int(app.config["LMS_RESET_EMAIL_LIMIT"].split()[0])
    web = Web(app.test_client())
    codes = [
        web.submit(
            "/reset", {"email": email}, environ_base={"REMOTE_ADDR": f"192.0.2.{n}"}
        ).status_code
        for n in range(limit + 1)
    ]
    assert codes == [302] * limit + [429]
    assert len(list(Path(app.config["LMS_MAIL_DIR"]).glob("*.eml"))) == limit


def test_the_default_limits_are_set(app):
    """The shipped defaults (documented in lms/settings.py) do limit something."""
    from limits import parse

    for key in ("LMS_LOGIN_ACCOUNT_LIMIT", "LMS_LOGIN_CLIENT_LIMIT", "LMS_RESET_EMAIL_LIMIT"):
        assert parse(app.config[key]).amount <= 30, key
