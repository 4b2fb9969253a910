"""Sign-ins live on the server: a session cookie copied before sign-out is refused afterwards,
a password change ends the other sign-ins, and a sign-in has an age limit."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from lms.accounts.models import LoginSession
from tests.conftest import Web, signed_in

PRIVATE_PAGE = "/dashboard"


def _signed_in(response) -> bool:  # noqa: ANN001
    """A private page answers 200 to a signed-in visitor, and sends anyone else to sign in."""
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


def _replay(app: Flask, cookie: str) -> Web:
    """Another browser that presents a copy of someone's session cookie."""
    thief = Web(app.test_client())
    thief.client.set_cookie("session", cookie)
    return thief


def test_a_session_cookie_replayed_after_sign_out_is_refused(app, create_user):
    user = create_user()
    web = signed_in(app, user.email, user.plain_password)
    stolen = web.client.get_cookie("session").value
    # The copy works while the sign-in is open (so the refusal below is not vacuous).
    assert _signed_in(_replay(app, stolen).get(PRIVATE_PAGE))

    web.logout()

    assert not _signed_in(web.get(PRIVATE_PAGE))
    assert not _signed_in(_replay(app, stolen).get(PRIVATE_PAGE))
    with app.app_context():
        ended = app.extensions["lms"].db.session.scalars(select(LoginSession)).all()
        assert [(s.user_id, s.ended_reason) for s in ended] == [(user.id, "sign-out")]


def test_signing_out_ends_only_that_sign_in(app, create_user):
    user = create_user()
    phone = signed_in(app, user.email, user.plain_password)
    laptop = signed_in(app, user.email, user.plain_password)
    phone.logout()
    assert not _signed_in(phone.get(PRIVATE_PAGE))
    assert _signed_in(laptop.get(PRIVATE_PAGE))


def test_a_password_change_ends_every_sign_in_and_signs_this_browser_in_afresh(app, create_user):
    user = create_user()
    here = signed_in(app, user.email, user.plain_password)
    elsewhere = signed_in(app, user.email, user.plain_password)
    stolen = elsewhere.client.get_cookie("session").value
    # A copy of this browser's own cookie (perhaps why the password is being changed).
    copied_here = here.client.get_cookie("session").value

    response = here.submit(
        "/account/password",
        {
            "current_password": user.plain_password,
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )

    assert response.status_code == 302
    assert _signed_in(here.get(PRIVATE_PAGE))
    assert not _signed_in(elsewhere.get(PRIVATE_PAGE))
    assert not _signed_in(_replay(app, stolen).get(PRIVATE_PAGE))
    assert not _signed_in(_replay(app, copied_here).get(PRIVATE_PAGE))
    # The new password works, the old one does not.
    signed_in(app, user.email, "a brand new passphrase")
    refused = Web(app.test_client()).submit(
        "/login", {"email": user.email, "password": user.plain_password}
    )
    assert refused.status_code == 401


def test_signing_in_again_ends_the_sign_in_this_browser_had(app, create_user):
    user = create_user()
    web = signed_in(app, user.email, user.plain_password)
    earlier = web.client.get_cookie("session").value
    web.login(user.email, user.plain_password)
    assert web.client.get_cookie("session").value != earlier
    assert not _signed_in(_replay(app, earlier).get(PRIVATE_PAGE))
    assert _signed_in(web.get(PRIVATE_PAGE))


def test_wrong_current_passwords_are_limited(app, create_user):
    app.config["LMS_LOGIN_ACCOUNT_LIMIT"] = "3 per 15 minutes"
    user = create_user()
    web = signed_in(app, user.email, user.plain_password)
    wrong = {
        "current_password": "guess",
        "password": "new passphrase 1",
        "confirm": "new passphrase 1",
    }
    codes = [web.submit("/account/password", wrong).status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]
    right = {**wrong, "current_password": user.plain_password}
    assert web.submit("/account/password", right).status_code == 429
    signed_in(app, user.email, user.plain_password)  # the password did not change


def test_a_wrong_current_password_changes_nothing(app, create_user):
    user = create_user()
    here = signed_in(app, user.email, user.plain_password)
    elsewhere = signed_in(app, user.email, user.plain_password)

    response = here.submit(
        "/account/password",
        {
            "current_password": "not my password",
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )

    assert response.status_code == 400
    assert "The current password is wrong." in response.get_data(as_text=True)
    assert _signed_in(elsewhere.get(PRIVATE_PAGE))
    signed_in(app, user.email, user.plain_password)


def test_a_password_reset_ends_every_sign_in(app, create_user):
    from lms.accounts.tokens import make_reset_token
    from lms.models import User

    user = create_user()
    web = signed_in(app, user.email, user.plain_password)
    with app.app_context():
        token = make_reset_token(app.extensions["lms"].db.session.get(User, user.id))

    response = Web(app.test_client()).submit(
        f"/reset/{token}", {"password": "reset passphrase 1", "confirm": "reset passphrase 1"}
    )

    assert response.status_code == 302
    assert not _signed_in(web.get(PRIVATE_PAGE))


def test_a_sign_in_ends_at_its_age_limit(app, create_user, clock):
    from lms.settings import DEFAULTS

    hours = app.config["LMS_SESSION_MAX_AGE_HOURS"] = DEFAULTS["LMS_SESSION_MAX_AGE_HOURS"]
    user = create_user()
    web = signed_in(app, user.email, user.plain_password)
    clock.advance(hours=hours, seconds=-1)
    assert _signed_in(web.get(PRIVATE_PAGE))
    clock.advance(seconds=1)
    assert not _signed_in(web.get(PRIVATE_PAGE))


def test_the_database_keeps_only_a_hash_of_the_sign_in_token(app, create_user):
    user = create_user()
    web = signed_in(app, user.email, user.plain_password)
    cookie = web.client.get_cookie("session").value
    data = app.session_interface.get_signing_serializer(app).loads(cookie)
    user_id, _, token = data["_user_id"].partition(":")
    assert user_id == str(user.id) and len(token) >= 40
    with app.app_context():
        rows = app.extensions["lms"].db.session.scalars(select(LoginSession)).all()
        assert len(rows) == 1 and rows[0].token_hash != token and token not in rows[0].token_hash


def test_a_cookie_naming_a_user_without_a_sign_in_token_is_refused(app, create_user):
    """Sessions from before sign-ins were recorded ("<id>:<password fingerprint>") end."""
    from lms.models import User

    user = create_user()
    with app.app_context():
        fingerprint = app.extensions["lms"].db.session.get(User, user.id).password_fingerprint
    forged = app.session_interface.get_signing_serializer(app).dumps(
        {"_user_id": f"{user.id}:{fingerprint}", "_fresh": True}
    )
    assert not _signed_in(_replay(app, forged).get(PRIVATE_PAGE))


@pytest.mark.parametrize("base_url, secure", [("https://ce.example.org", True), ("", False)])
def test_the_session_cookie_is_httponly_lax_and_secure_over_https(
    database_url, tmp_path, base_url, secure
):
    from tests.conftest import make_app

    app = make_app(database_url, tmp_path / "site", LMS_BASE_URL=base_url)
    # create_app applies the secure flag for configured https sites, as in production.
    assert app.config["SESSION_COOKIE_SECURE"] is secure
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    with app.app_context():
        app.extensions["lms"].db.engine.dispose()
