"""The LMS mounted in a host application: under a prefix, and on the host's own accounts."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask, redirect, request
from flask_login import LoginManager, UserMixin, login_user
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from certificates.models import Certificate
from lms import LMS, FlaskLoginHostAdapter
from lms.accounts.models import User
from lms.demo import seed_demo_data
from lms.migrate import upgrade_database
from tests.conftest import Web, answer_key, complete_modules, start_quiz

SLUG = "moisture-mapping-and-drying-documentation"


class HostBase(DeclarativeBase):
    pass


class HostUser(UserMixin, HostBase):
    """The host application's own user table, which the LMS never writes to."""

    __tablename__ = "host_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(100))
    mail: Mapped[str] = mapped_column(String(100))
    visits: Mapped[int] = mapped_column(default=0)


def _host(database_url: str, instance: Path, with_accounts: bool) -> tuple[Flask, SQLAlchemy]:
    host = Flask("host_app", instance_path=str(instance))
    host.config.update(
        SECRET_KEY="the host app's own long and random secret key 9f3b",
        SQLALCHEMY_DATABASE_URI=database_url,
        LMS_MAIL_BACKEND="file",  # a host on a database server names it
        LMS_URL_PREFIX="/learn",
        LMS_MAIL_DIR=str(instance / "mail"),
        LMS_BASE_URL="https://host.example",  # a host in production sets it, as here
    )
    db = SQLAlchemy(model_class=HostBase)
    db.init_app(host)

    @host.get("/")
    def home() -> str:
        return "Host home page"

    @host.get("/about")
    def about() -> str:
        return "About the host"

    adapter = None
    if with_accounts:
        manager = LoginManager(host)
        manager.user_loader(lambda uid: db.session.get(HostUser, int(uid)))

        @host.get("/host-login")
        def host_login():  # noqa: ANN202
            login_user(db.session.get(HostUser, int(request.args["uid"])))
            return redirect(request.args.get("next") or "/")

        from flask_login import current_user

        @host.before_request
        def count_visit() -> None:
            # A host writing before the LMS runs, committing only at the end of the request.
            if current_user.is_authenticated:
                current_user.visits += 1

        @host.after_request
        def commit(response):  # noqa: ANN001, ANN202
            db.session.commit()
            return response

        adapter = FlaskLoginHostAdapter(
            "host_login", name_of=lambda u: u.display_name, email_of=lambda u: u.mail
        )
    LMS(host, db=db, user_adapter=adapter)
    upgrade_database(host)
    with host.app_context():
        seed_demo_data()
    return host, db


def test_lms_mounts_under_a_prefix_and_host_routes_keep_working(database_url, tmp_path):
    host, _db = _host(database_url, tmp_path, with_accounts=False)
    client = host.test_client()
    assert client.get("/").get_data(as_text=True) == "Host home page"
    assert client.get("/about").status_code == 200
    assert client.get("/learn/healthz").status_code == 200
    catalogue = client.get("/learn/")
    assert catalogue.status_code == 200
    assert "Moisture Mapping and Drying Documentation" in catalogue.get_data(as_text=True)
    assert 'href="/learn/_static/style.css"' in catalogue.get_data(as_text=True)
    assert client.get("/learn/_static/style.css").status_code == 200
    assert client.get("/courses/" + SLUG).status_code == 404  # nothing leaks outside the prefix

    web = Web(client, prefix="/learn")
    response = web.submit(
        "/register",
        {
            "name": "Host Visitor",
            "email": "v@example.org",
            "password": "long enough pw",
            "confirm": "long enough pw",
        },
    )
    assert response.headers["Location"] == "/learn/dashboard"
    assert web.get("/dashboard").status_code == 200


@pytest.fixture
def host_with_accounts(database_url, tmp_path):  # noqa: ANN001, ANN201
    host, db = _host(database_url, tmp_path, with_accounts=True)
    with host.app_context():
        HostUser.__table__.create(db.engine)
        db.session.add(HostUser(id=41, display_name="Morgan Host-User", mail="Morgan@Host.example"))
        db.session.commit()
    yield host
    with host.app_context():
        db.session.remove()
        HostUser.__table__.drop(db.engine)
        db.engine.dispose()


def test_host_accounts_mode_uses_the_hosts_current_user(host_with_accounts):
    host = host_with_accounts
    client = host.test_client()
    # The LMS has no sign-in pages of its own here; it sends people to the host's.
    assert client.get("/learn/login").status_code == 404
    assert client.get("/learn/register").status_code == 404
    to_login = client.get("/learn/dashboard")
    assert to_login.status_code == 302
    assert to_login.headers["Location"].startswith("/host-login?next=/learn/dashboard")

    client.get("/host-login?uid=41")
    web = Web(client, prefix="/learn")
    dashboard = web.get("/dashboard")
    assert dashboard.status_code == 200
    web.submit(f"/courses/{SLUG}", action=f"/courses/{SLUG}/enrol")
    complete_modules(web, SLUG)
    attempt_id = start_quiz(web, SLUG)
    submitted = web.submit(
        f"/courses/{SLUG}/quiz", answer_key(host, SLUG), action=f"/courses/{SLUG}/quiz/{attempt_id}"
    )
    assert submitted.status_code == 302

    with host.app_context():
        db = host.extensions["lms"].db.session
        learner = db.scalars(select(User).where(User.external_id.is_not(None))).one()
        assert learner.external_id == "41"  # keyed to the host's user id
        assert learner.password_hash is None
        assert learner.email == "morgan@host.example"
        certificate = db.scalars(select(Certificate)).one()
        assert certificate.facts["learner_name"] == "Morgan Host-User"
        public_id = certificate.public_id
    page = client.get(f"/learn/verify/{public_id}").get_data(as_text=True)
    assert "Valid certificate" in page
    assert "https://host.example/learn/verify/" + public_id in web.get(
        f"/certificates/{public_id}"
    ).get_data(as_text=True)


def test_lms_refuses_a_second_login_manager_without_an_adapter(database_url, tmp_path):
    app = Flask("clash", instance_path=str(tmp_path))
    app.config.update(
        SECRET_KEY="the host app's own long and random secret key 9f3b",
        SQLALCHEMY_DATABASE_URI=database_url,
        LMS_MAIL_BACKEND="file",  # a host on a database server names it
    )
    LoginManager(app)
    with pytest.raises(RuntimeError, match="FlaskLoginHostAdapter"):
        LMS(app)


def test_lms_shares_the_hosts_sqlalchemy_when_not_given_one(database_url, tmp_path):
    app = Flask("shared", instance_path=str(tmp_path))
    app.config.update(
        SECRET_KEY="the host app's own long and random secret key 9f3b",
        SQLALCHEMY_DATABASE_URI=database_url,
        LMS_MAIL_BACKEND="file",  # a host on a database server names it
    )
    host_db = SQLAlchemy(app)
    LMS(app)
    assert app.extensions["lms"].db is host_db
    with app.app_context():
        host_db.engine.dispose()


def test_host_users_may_share_an_email_with_an_lms_account_and_change_it(host_with_accounts):
    """Mirrored host users are keyed by the host's id, never by e-mail."""
    host = host_with_accounts
    with host.app_context():
        db = host.extensions["lms"].db.session
        # learner@example.com already exists as an LMS account (demo data).
        db.add(HostUser(id=42, display_name="Same Mail", mail="learner@example.com"))
        db.add(HostUser(id=43, display_name=None, mail="other@host.example"))
        db.commit()
    for uid in (42, 43):
        client = host.test_client()
        client.get(f"/host-login?uid={uid}")
        assert client.get("/learn/dashboard").status_code == 200
    with host.app_context():
        db = host.extensions["lms"].db.session
        # The host user 43 changes their address to the one host user 42 uses.
        db.get(HostUser, 43).mail = "learner@example.com"
        db.commit()
    client = host.test_client()
    client.get("/host-login?uid=43")
    assert client.get("/learn/dashboard").status_code == 200
    with host.app_context():
        db = host.extensions["lms"].db.session
        mirrored = dict(
            db.execute(
                select(User.external_id, User.name).where(User.email == "learner@example.com")
            ).all()
        )
    assert mirrored == {None: "Lee Learner", "42": "Same Mail", "43": "learner@example.com"}


def test_host_writes_pending_in_the_request_are_neither_blocked_nor_lost(host_with_accounts):
    host = host_with_accounts
    client = host.test_client()
    client.get("/host-login?uid=41")
    for _ in range(2):  # the first visit creates the mirror row, the second reads it
        assert client.get("/learn/dashboard").status_code == 200
    with host.app_context():
        db = host.extensions["lms"].db.session
        assert db.get(HostUser, 41).visits == 2
