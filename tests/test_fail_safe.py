"""Many hosts, failing safe: a rate-limit store that is down degrades the limits, not the
sign-in; /readyz names what is wrong; outbox delivery from several deliverers at once sends
each message once; settings every host must share are refused when left to each host."""

from __future__ import annotations

import logging
import socket
import threading
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from lms.limits import limiter
from tests.conftest import Web, make_app


def _closed_port() -> int:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def app_without_redis(app, database_url, tmp_path, clock):
    """An app (on the ``app`` fixture's database) whose Redis does not answer. Made after
    ``app``: the limiter is one object per process, set up by the app made last."""
    pytest.importorskip("redis")
    app = make_app(
        database_url,
        tmp_path / "instance",
        LMS_RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{_closed_port()}",
    )
    app.extensions["lms"].clock = clock
    yield app
    # The limiter is one object for every app in this process: the next app starts afresh.
    limiter._storage_dead = False
    with app.app_context():
        app.extensions["lms"].db.session.remove()
        app.extensions["lms"].db.engine.dispose()


def test_sign_in_works_and_is_still_limited_when_the_rate_limit_store_is_down(
    app_without_redis, create_user, caplog
):
    app = app_without_redis
    app.config["LMS_LOGIN_ACCOUNT_LIMIT"] = "3 per 15 minutes"
    create_user(email="tech@example.org", password="right-password-1")
    web = Web(app.test_client())
    with caplog.at_level(logging.WARNING, logger="flask-limiter"):
        response = web.submit(
            "/login", {"email": "tech@example.org", "password": "right-password-1"}
        )
    assert response.status_code == 302
    assert any("falling back to in-memory" in r.getMessage() for r in caplog.records)
    # Counted in memory meanwhile: guessing is still limited.
    guesser = Web(app.test_client())
    statuses = [
        guesser.submit(
            "/login", {"email": "tech@example.org", "password": f"wrong-{n}"}
        ).status_code
        for n in range(5)
    ]
    assert statuses[:3] == [401, 401, 401] and statuses[-1] == 429


def test_readyz_names_the_rate_limit_store_without_taking_the_host_out(app_without_redis):
    client = app_without_redis.test_client()
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 200 and body["status"] == "degraded"
    assert body["failed"] == ["rate_limit_store"]
    assert body["checks"]["database"] == "ok" and body["checks"]["signing_keys"] == "ok"
    strict = client.get("/readyz?strict=1")
    assert strict.status_code == 503 and strict.get_json()["failed"] == ["rate_limit_store"]
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_is_ok_and_names_a_signing_key_that_cannot_be_opened(app, client):
    ok = client.get("/readyz")
    assert ok.status_code == 200 and ok.get_json() == {
        "status": "ok",
        "checks": {"database": "ok", "rate_limit_store": "ok", "signing_keys": "ok"},
        "failed": [],
    }
    app.config["LMS_BASE_URL"] = "https://ce.example.org"
    from lms.awards import issuer

    with app.app_context():
        issuer.ensure_signing_key()
    issuer._opened_keys.clear()  # a host started with other secrets
    app.config.update(SECRET_KEY="a-different-secret-on-this-host-77c1a9", SECRET_KEY_FALLBACKS=[])
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failed"] == ["signing_keys"]
    assert "LMS_KEY_ENCRYPTION_KEY" in body["checks"]["signing_keys"]


def test_readyz_names_a_database_that_does_not_answer(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'missing' / 'no.sqlite3'}", tmp_path / "instance")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failed"] == ["database"] and body["checks"]["signing_keys"].startswith(
        "not checked"
    )


def test_deliverers_racing_send_each_message_once(app, clock):
    """Eight deliverers (as eight hosts' cron jobs) on the same outbox at once."""
    from lms.mail import mail_dir
    from lms.outbox.models import OutboxMessage
    from lms.outbox.operations import deliver_pending, queue_message

    with app.app_context():
        db = app.extensions["lms"].db.session
        for n in range(30):
            queue_message(db, to=f"p{n}@example.org", subject=f"m{n}", body="b", now=clock())
        db.commit()
        db.remove()
    barrier = threading.Barrier(8)
    results, errors = [], []

    def deliver() -> None:
        try:
            with app.app_context():
                db = app.extensions["lms"].db.session
                barrier.wait()
                results.append(deliver_pending(db, clock()).sent)
                db.remove()
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(results) == 30
    with app.app_context():
        files = list(mail_dir().glob("*.eml"))
        db = app.extensions["lms"].db.session
        claims = db.scalar(select(func.sum(OutboxMessage.attempts)))
    assert len(files) == 30 and claims == 30


def test_a_claim_holds_for_its_lease_and_lapses_after_it(app, clock):
    """A deliverer that died mid-send: nobody sends its message during the lease; afterwards
    the next run does."""
    from lms.outbox.operations import _claim, deliver_pending, queue_message

    with app.app_context():
        db = app.extensions["lms"].db.session
        queue_message(db, to="a@example.org", subject="s", body="b", now=clock())
        db.commit()
        lease = timedelta(seconds=app.config["LMS_OUTBOX_LEASE_SECONDS"])
        assert _claim(db, 1, clock(), lease) is not None  # then the deliverer dies
        assert deliver_pending(db, clock()).sent == 0
        clock.advance(seconds=lease.total_seconds() - 1)
        assert deliver_pending(db, clock()).sent == 0
        clock.advance(seconds=2)
        assert deliver_pending(db, clock()).sent == 1
        assert deliver_pending(db, clock()).sent == 0


def test_a_sent_message_leaves_no_copy_of_what_it_said(app, clock, monkeypatch):
    """A password-reset link must not outlive its sending in the outbox (or in a backup); a
    message that keeps failing is blanked once it has had its last attempt."""
    from lms.mail import MailError
    from lms.outbox import operations
    from lms.outbox.models import OutboxMessage

    with app.app_context():
        db = app.extensions["lms"].db.session
        operations.queue_message(db, to="a@example.org", subject="s", body="link", now=clock())
        operations.queue_message(db, to="b@example.org", subject="s", body="link", now=clock())
        db.commit()
        assert operations.deliver_pending(db, clock(), only=[1]).sent == 1

        def refuse(to: str, subject: str, body: str) -> None:
            raise MailError("the mail server is down")

        monkeypatch.setattr(operations, "send_mail", refuse)
        bodies = []
        for _ in range(operations.MAX_ATTEMPTS):
            assert operations.deliver_pending(db, clock(), only=[2]).failed == 1
            bodies.append(db.scalar(select(OutboxMessage.body).where(OutboxMessage.id == 2)))
        sent = db.get(OutboxMessage, 1)
        assert sent.sent_at is not None and sent.body == ""
        assert bodies == ["link"] * (operations.MAX_ATTEMPTS - 1) + [""]


def _production(tmp_path, monkeypatch, **environment: str) -> Flask:
    from lms import create_app

    for name in ("LMS_SECRET_KEY", "LMS_MAIL_BACKEND", "LMS_DATABASE_URL", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return create_app(instance_path=str(tmp_path / "instance"))


SERVER_DB = "postgresql://lms@db.invalid:5432/lms"  # never connected to: refused before


def test_a_database_server_without_lms_secret_key_is_refused_by_name(tmp_path, monkeypatch):
    with pytest.raises(RuntimeError, match="LMS_SECRET_KEY is not set"):
        _production(tmp_path, monkeypatch, LMS_DATABASE_URL=SERVER_DB, LMS_MAIL_BACKEND="smtp")


def test_a_database_server_without_an_explicit_mail_backend_is_refused(tmp_path, monkeypatch):
    secret = "0f3c9a5e7b1d24680ace13579bdf2468"
    with pytest.raises(RuntimeError, match="LMS_MAIL_BACKEND is not set"):
        _production(tmp_path, monkeypatch, LMS_DATABASE_URL=SERVER_DB, LMS_SECRET_KEY=secret)
    app = _production(
        tmp_path,
        monkeypatch,
        LMS_DATABASE_URL=SERVER_DB,
        LMS_SECRET_KEY=secret,
        LMS_MAIL_BACKEND="file",  # chosen explicitly: allowed
    )
    assert app.config["LMS_MAIL_BACKEND"] == "file"


def test_a_single_sqlite_host_still_starts_with_nothing_set(tmp_path, monkeypatch):
    app = _production(tmp_path, monkeypatch)
    assert app.config["LMS_SECRET_KEY_GENERATED"] is True
    assert (tmp_path / "instance" / "secret_key").exists()


def test_a_secret_key_from_the_instance_config_counts_as_explicit(tmp_path, monkeypatch):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "config.py").write_text(
        "SECRET_KEY = '5d0b8e2f91c4a7364e8f0b1d2c3a4958'\nLMS_MAIL_BACKEND = 'smtp'\n"
    )
    app = _production(tmp_path, monkeypatch, LMS_DATABASE_URL=SERVER_DB)
    assert app.config["SECRET_KEY"] == "5d0b8e2f91c4a7364e8f0b1d2c3a4958"
    assert app.config["LMS_SECRET_KEY_GENERATED"] is False


def test_a_weak_key_encryption_key_is_refused_by_name(tmp_path, monkeypatch):
    with pytest.raises(RuntimeError, match="LMS_KEY_ENCRYPTION_KEY is a well-known placeholder"):
        _production(tmp_path, monkeypatch, LMS_KEY_ENCRYPTION_KEY="changeme")
    with pytest.raises(RuntimeError, match="LMS_KEY_ENCRYPTION_KEY has 9 characters"):
        _production(tmp_path, monkeypatch, LMS_KEY_ENCRYPTION_KEY="x7Gq2LmP0")
    strong = _production(
        tmp_path, monkeypatch, LMS_KEY_ENCRYPTION_KEY="e3b1c9a07d5f4e2b8c6a1d0f9b7e3c5a"
    )
    assert strong.config["LMS_KEY_ENCRYPTION_KEY"] == "e3b1c9a07d5f4e2b8c6a1d0f9b7e3c5a"
