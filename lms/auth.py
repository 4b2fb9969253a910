"""Who is signed in: the LMS's own accounts, or a host application's users through an adapter."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from flask import abort, current_app, g, redirect, request, url_for
from flask_login import current_user as flask_login_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.local import LocalProxy

from lms.accounts.models import ROLES, User
from lms.clock import now
from lms.db import session

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
        name_of: Callable[[Any], str] = lambda user: user.name,
        email_of: Callable[[Any], str] = lambda user: user.email,
        role_of: Callable[[Any], str] = lambda user: "learner",
    ) -> None:
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
        external_id = str(host_user.get_id())
        email = str(self.email_of(host_user) or f"{external_id}@host.invalid").strip().lower()
        role = self.role_of(host_user)
        facts = {
            "name": (str(self.name_of(host_user) or "").strip() or email)[:120],
            "email": email[:254],
            "role": role if role in ROLES else "learner",
        }
        db = session()
        user = db.scalars(select(User).where(User.external_id == external_id)).first()
        if user is None or any(getattr(user, key) != value for key, value in facts.items()):
            _mirror(external_id, facts)
            db.expire_all()
            user = db.scalars(select(User).where(User.external_id == external_id)).one()
        return user


def _mirror(external_id: str, facts: dict[str, str]) -> None:
    """Create or refresh the mirror row in its own short transaction, so the request's (and a
    host's shared) session is never committed behind its back."""
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


def roles_required(*roles: str) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = _load_current_learner()
            if user is None:
                adapter = current_app.extensions["lms"].user_adapter
                return redirect(adapter.login_url(_here()))
            if not user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return login_required(wrapped)  # type: ignore[return-value]

    return decorator
