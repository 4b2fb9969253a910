"""Sign-up, sign-in, sign-out, safe redirects and password reset, with CSRF on."""

from __future__ import annotations

import json
from email import message_from_string
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from tests.conftest import CSRF_RE, Web

GOOD = {
    "name": "Pat Doe",
    "email": "pat@example.org",
    "password": "long enough pw",
    "confirm": "long enough pw",
}


def _user_count(app) -> int:  # noqa: ANN001
    with app.app_context():
        return app.extensions["lms"].db.session.scalar(select(func.count()).select_from(User))


def test_register_signs_in_and_stores_a_hashed_password(app, web):
    response = web.submit("/register", GOOD)
    assert response.status_code == 302
    assert "Pat Doe" in web.get("/dashboard").get_data(as_text=True)
    with app.app_context():
        user = app.extensions["lms"].db.session.scalars(select(User)).one()
        assert user.role == "learner"
        assert "long enough pw" not in user.password_hash


def test_duplicate_email_in_any_case_is_refused_with_a_message(app, web, create_user):
    create_user(email="pat@example.org")
    response = web.submit("/register", {**GOOD, "email": "PAT@Example.org"})
    assert response.status_code == 409
    assert "already exists" in response.get_data(as_text=True)
    assert _user_count(app) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter your name."),
        ("email", "", "Enter your e-mail address."),
        ("email", "not-an-email", "Invalid email address."),
        ("password", "short", "Use at least 10 characters."),
        ("name", "x" * 121, "Field cannot be longer than 120 characters."),
        ("email", "a" * 250 + "@example.org", "Field cannot be longer than 254 characters."),
        ("confirm", "something else", "The passwords do not match."),
    ],
)
def test_bad_sign_up_fields_get_a_clear_message_and_nothing_is_saved(
    app, web, field, value, message
):
    response = web.submit("/register", {**GOOD, field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _user_count(app) == 0


def test_wrong_password_is_refused(web, create_user):
    user = create_user()
    response = web.submit("/login", {"email": user.email, "password": "wrong password!"})
    assert response.status_code == 401
    assert "E-mail or password is wrong." in response.get_data(as_text=True)
    assert web.get("/dashboard").status_code == 302  # still signed out


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(web):
    response = web.submit("/login", {"email": "nobody@example.org", "password": "whatever pw"})
    assert response.status_code == 401
    assert "E-mail or password is wrong." in response.get_data(as_text=True)


def test_login_email_is_case_insensitive(web, create_user):
    user = create_user(email="case@example.org")
    web.login("CASE@example.ORG", user.plain_password)
    assert web.get("/dashboard").status_code == 200


def test_logout_needs_a_post_with_a_csrf_token(web, create_user):
    user = create_user()
    web.login(user.email, user.plain_password)
    assert web.get("/logout").status_code == 405
    assert web.client.post("/logout").status_code == 400
    assert web.get("/dashboard").status_code == 200
    web.logout()
    assert web.get("/dashboard").status_code == 302


def test_a_protected_page_sends_to_login_and_back(web, create_user):
    user = create_user()
    response = web.get("/dashboard")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"
    login_page = response.headers["Location"]
    result = web.submit(
        login_page, {"email": user.email, "password": user.plain_password, "next": "/dashboard"}
    )
    assert result.headers["Location"] == "/dashboard"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/path",
        "/\\evil.example",
        "\\\\evil.example",
        "https://evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        "%2F%2Fevil.example",
        "/%2F%2Fevil.example",
        "%2F%5Cevil.example",
        "/%5Cevil.example",
        "/\tevil.example",
        " //evil.example",
    ],
)
def test_login_never_redirects_off_site(web, create_user, target):
    user = create_user()
    response = web.submit(
        f"/login?next={target}",
        {"email": user.email, "password": user.plain_password, "next": target},
    )
    assert response.status_code == 302
    # Wherever it goes, a browser resolving the Location stays on this site.
    landed = urljoin("http://localhost/login", response.headers["Location"].replace("\\", "/"))
    assert urlsplit(landed).netloc == "localhost"
    assert urlsplit(landed).scheme == "http"


def _mails(app) -> list:  # noqa: ANN001
    folder = Path(app.config["LMS_MAIL_DIR"])
    if not folder.exists():
        return []
    return [message_from_string(p.read_text()) for p in sorted(folder.glob("*.eml"))]


def _reset_link(app) -> str:  # noqa: ANN001
    (mail,) = _mails(app)
    body = mail.get_payload(decode=True).decode()
    link = next(line for line in body.splitlines() if "/reset/" in line).strip()
    return urlsplit(link).path


def test_password_reset_by_emailed_single_use_link(app, web, create_user):
    user = create_user(email="forgot@example.org")
    response = web.submit("/reset", {"email": "forgot@example.org"})
    assert response.status_code == 302
    link = _reset_link(app)
    assert _mails(app)[0]["To"] == "forgot@example.org"

    changed = web.submit(link, {"password": "a brand new pass", "confirm": "a brand new pass"})
    assert changed.status_code == 302
    bad = web.submit("/login", {"email": user.email, "password": user.plain_password})
    assert bad.status_code == 401
    web.login(user.email, "a brand new pass")

    # Used once: the same link is now refused, for GET and POST alike.
    assert Web(app.test_client()).get(link).status_code == 400


def test_reset_link_expires(app, web, create_user, clock):
    create_user(email="late@example.org")
    web.submit("/reset", {"email": "late@example.org"})
    link = _reset_link(app)
    clock.advance(seconds=app.config["LMS_RESET_TOKEN_MAX_AGE"] + 1)
    response = web.get(link)
    assert response.status_code == 400
    assert "invalid, expired or already used" in response.get_data(as_text=True)


def test_reset_for_an_unknown_email_sends_nothing_and_says_the_same(app, web):
    response = web.submit("/reset", {"email": "ghost@example.org"})
    assert response.status_code == 302
    assert _mails(app) == []


def test_tampered_reset_token_is_refused(app, web, create_user):
    create_user(email="t@example.org")
    web.submit("/reset", {"email": "t@example.org"})
    link = _reset_link(app)
    assert web.get(link[:-3] + "abc").status_code == 400
    assert web.get("/reset/not-a-token").status_code == 400


def test_reset_links_survive_a_secret_key_rotation_with_fallbacks(app, web, create_user):
    create_user(email="rotate@example.org")
    web.submit("/reset", {"email": "rotate@example.org"})
    link = _reset_link(app)
    old_key = app.config["SECRET_KEY"]
    app.config.update(SECRET_KEY="a-new-secret-key", SECRET_KEY_FALLBACKS=[old_key])
    assert Web(app.test_client()).get(link).status_code == 200
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert Web(app.test_client()).get(link).status_code == 400


def test_reset_links_use_the_configured_base_url_not_the_host_header(app, web, create_user):
    app.config["LMS_BASE_URL"] = "https://ce.example.org"
    create_user(email="host@example.org")
    page = web.get("/reset", headers={"Host": "evil.example"})
    token = CSRF_RE.search(page.get_data(as_text=True)).group(1)
    web.client.post(
        "/reset",
        data={"csrf_token": token, "email": "host@example.org"},
        headers={"Host": "evil.example"},
    )
    (mail,) = _mails(app)
    body = mail.get_payload(decode=True).decode()
    assert "https://ce.example.org/reset/" in body
    assert "evil.example" not in body


def test_without_a_base_url_in_production_no_reset_link_follows_the_host_header(
    app, web, create_user
):
    """The Host header is the sender's choice: outside testing and debug, a reset e-mail is
    built only from LMS_BASE_URL. Without it nothing is sent, and the answer is the same for
    a known and an unknown address (no account probing)."""
    create_user(email="victim@example.org")
    page = web.get("/reset", headers={"Host": "evil.example"})
    token = CSRF_RE.search(page.get_data(as_text=True)).group(1)
    app.testing = False
    answers = []
    for email in ("victim@example.org", "nobody@example.org"):
        response = web.client.post(
            "/reset", data={"csrf_token": token, "email": email}, headers={"Host": "evil.example"}
        )
        answers.append((response.status_code, "not available on this site yet" in response.text))
    assert answers == [(503, True), (503, True)]
    assert _mails(app) == []
    app.config["LMS_BASE_URL"] = "https://ce.example.org"
    web.client.post(
        "/reset",
        data={"csrf_token": token, "email": "victim@example.org"},
        headers={"Host": "evil.example"},
    )
    (mail,) = _mails(app)
    assert "https://ce.example.org/reset/" in mail.get_payload(decode=True).decode()


def test_a_password_reset_ends_sessions_signed_in_before(app, web, create_user):
    user = create_user(email="stolen@example.org")
    other_device = Web(app.test_client())
    other_device.login(user.email, user.plain_password)
    assert other_device.get("/dashboard").status_code == 200
    web.submit("/reset", {"email": "stolen@example.org"})
    web.submit(_reset_link(app), {"password": "a brand new pass", "confirm": "a brand new pass"})
    assert other_device.get("/dashboard").status_code == 302


def test_an_email_with_surrounding_spaces_is_accepted_and_stored_trimmed(app, web):
    response = web.submit("/register", {**GOOD, "email": "  Spaced@Example.org "})
    assert response.status_code == 302
    with app.app_context():
        email = app.extensions["lms"].db.session.scalars(select(User.email)).one()
    assert email == "spaced@example.org"


@pytest.mark.parametrize("name", ["Tab\tName", "New\nLine", "Bell\x07"])
def test_control_characters_in_a_name_are_refused(app, web, name):
    response = web.submit("/register", {**GOOD, "name": name})
    assert response.status_code == 422
    assert "invisible control characters" in response.get_data(as_text=True)
    assert _user_count(app) == 0


def test_a_field_sent_as_a_file_upload_is_a_clear_error_not_a_crash(app, web, create_user):
    import io

    user = create_user()
    token = web.token("/login")
    response = web.client.post(
        "/login",
        data={
            "csrf_token": token,
            "email": user.email,
            "password": (io.BytesIO(b"secret"), "password.txt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422


def test_a_reset_mail_the_smtp_server_refuses_waits_in_the_outbox_not_a_500(
    app, web, create_user, runner
):
    import socket

    from lms.outbox.models import OutboxMessage

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    app.config.update(LMS_MAIL_BACKEND="smtp", LMS_SMTP_HOST="127.0.0.1", LMS_SMTP_PORT=closed_port)
    create_user(email="nomail@example.org")
    response = web.submit("/reset", {"email": "nomail@example.org"})
    # The same answer as for an unknown address: nothing to probe, the link is on its way.
    assert response.status_code == 302
    with app.app_context():
        message = app.extensions["lms"].db.session.scalars(select(OutboxMessage)).one()
        assert message.to_address == "nomail@example.org" and message.sent_at is None
        assert message.attempts == 1 and message.last_error
    app.config["LMS_MAIL_BACKEND"] = "file"  # the mail server is back: the next run sends it
    result = runner.invoke(args=["outbox", "deliver"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"sent": 1, "failed": 0}
    assert len(list((Path(app.instance_path) / "mail").glob("*.eml"))) == 1


def test_string_settings_from_the_environment_stay_strings(tmp_path, monkeypatch):
    from lms import create_app

    monkeypatch.setenv("LMS_SMTP_PASSWORD", "12345678")
    monkeypatch.setenv("LMS_SMTP_PORT", "2525")
    monkeypatch.setenv("LMS_ALLOW_REGISTRATION", "false")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["LMS_SMTP_PASSWORD"] == "12345678"
    assert app.config["LMS_SMTP_PORT"] == 2525
    assert app.config["LMS_ALLOW_REGISTRATION"] is False


def test_course_pages_send_anonymous_visitors_to_sign_in_and_back(client, demo):
    slug = "hot-water-extraction-fundamentals"
    for path in (
        f"/courses/{slug}/continue",
        f"/courses/{slug}/modules/1",
        f"/courses/{slug}/quiz",
    ):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/login?next={path}"


@pytest.mark.real_password_hashing
def test_passwords_are_stored_with_scrypt_never_in_clear(app, create_user):
    user = create_user(password="correct horse battery")
    with app.app_context():
        stored = app.extensions["lms"].db.session.get(User, user.id).password_hash
    assert stored.startswith("scrypt:") and "correct horse battery" not in stored
    signed_in_page = Web(app.test_client())
    signed_in_page.login(user.email, "correct horse battery")
