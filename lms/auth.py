"""Who is signed in: the LMS's own accounts, or a host application's users through an adapter."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from flask import current_app, g, redirect, request, url_for
from flask_login import current_user as flask_login_user
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.local import LocalProxy

from lms.accounts.models import ROLES, User
from lms.clock import now
from lms.db import holds_sqlite_transaction, session
from lms.validation import CONTROL_CHARACTERS

F = TypeVar("F", bound=Callable[..., Any])


class UserAdapter(Protocol):
    """How the LMS finds the signed-in person. Pass one to ``LMS(user_adapter=...)``."""

    #: True when the LMS shows its own sign-up, sign-in and password pages.
    manages_accounts: bool

    def current_learner(self) -> User | None: ...

    def login_url(self, next_url: str) -> str: ...


class OwnAccounts:
    """The default: the LMS's own user table, signed in with Flask-Login."""

    manages_accounts = True

    def current_learner(self) -> User | None:
        user = flask_login_user._get_current_object()
        return user if isinstance(user, User) and user.is_authenticated else None

    def login_url(self, next_url: str) -> str:
        return url_for("lms.accounts.login", next=next_url)


class FlaskLoginHostAdapter:
    """For a host that already signs people in with Flask-Login and its own user table.

    The LMS keeps one row per host user (keyed by the host's user id in ``external_id``) so its
    records and certificates have a name and e-mail to snapshot; it never sees a password.
    """

    manages_accounts = False

    def __init__(
        self,
        login_endpoint: str,
        *,
        id_of: Callable[[Any], Any] = lambda user: user.id,
        name_of: Callable[[Any], str] = lambda user: user.name,
        email_of: Callable[[Any], str] = lambda user: user.email,
        role_of: Callable[[Any], str] = lambda user: "learner",
    ) -> None:
        #: The host user's stable primary key (not Flask-Login's session token, which a host
        #: may rotate on a password change and would orphan the learner's records).
        self.id_of = id_of
        self.login_endpoint = login_endpoint
        self.name_of = name_of
        self.email_of = email_of
        self.role_of = role_of

    def login_url(self, next_url: str) -> str:
        return url_for(self.login_endpoint, next=next_url)

    def current_learner(self) -> User | None:
        host_user = flask_login_user._get_current_object()
        if host_user is None or not host_user.is_authenticated:
            return None
        external_id = str(self.id_of(host_user))
        if not external_id or len(external_id) > 100 or CONTROL_CHARACTERS.search(external_id):
            raise ValueError(f"host user id {external_id!r} is not usable: give id_of a short key")
        email = _printable(self.email_of(host_user)).lower()[:254]
        role = self.role_of(host_user)
        facts = {
            # Printed on certificates: the host's name, else the e-mail, else a neutral label.
            "name": (_printable(self.name_of(host_user)) or email or "Learner")[:120],
            "email": email or f"{external_id}@host.invalid",
            "role": role if role in ROLES else "learner",
        }
        db = session()
        query = select(User).where(User.external_id == external_id)
        # no_autoflush: the host's own pending changes stay unflushed (and unlocked) here.
        with db.no_autoflush:
            user = db.scalars(query).first()
            if user is None or any(getattr(user, key) != value for key, value in facts.items()):
                _mirror(external_id, facts)
                user = db.scalars(query.execution_options(populate_existing=True)).one()
        return user


def _printable(value: object) -> str:
    return CONTROL_CHARACTERS.sub("", str(value or "")).strip()


def _mirror(external_id: str, facts: dict[str, str]) -> None:
    """Create or refresh the mirror row in its own short transaction, so the request's (and a
    host's shared) session is never committed behind its back; on SQLite, when the request's
    transaction is already open (a POST's, or the host's pending write), in that one."""
    db = session()
    if holds_sqlite_transaction(db):
        # The request's own SQLite transaction is open (a POST's BEGIN IMMEDIATE holds the
        # write lock): a second connection would wait for it until the busy timeout. The row is
        # written in it instead (no race to lose: the lock is ours), kept when it commits.
        with db.no_autoflush:
            if db.scalars(select(User.id).where(User.external_id == external_id)).first():
                db.execute(update(User).where(User.external_id == external_id).values(**facts))
            else:
                db.execute(
                    insert(User).values(
                        external_id=external_id, password_hash=None, created_at=now(), **facts
                    )
                )
        return
    engine = current_app.extensions["lms"].db.engine
    with Session(engine) as own:
        user = own.scalars(select(User).where(User.external_id == external_id)).first()
        if user is None:
            own.add(User(external_id=external_id, password_hash=None, created_at=now(), **facts))
        else:
            for key, value in facts.items():
                setattr(user, key, value)
        try:
            own.commit()
        except IntegrityError:  # a concurrent first request created the row; theirs stands
            own.rollback()


def _load_current_learner() -> User | None:
    if "lms_learner" not in g:
        g.lms_learner = current_app.extensions["lms"].user_adapter.current_learner()
    return g.lms_learner


#: The signed-in person as an LMS ``User``, or None.
current_learner: User | None = LocalProxy(_load_current_learner)  # type: ignore[assignment]


def _here() -> str:
    """This page's path and query, including the script root when mounted below one."""
    return request.script_root + request.full_path.rstrip("?")


def login_required(view: F) -> F:
    """Send anonymous visitors to the sign-in page, then back here."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if _load_current_learner() is None:
            adapter = current_app.extensions["lms"].user_adapter
            return redirect(adapter.login_url(_here()))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
