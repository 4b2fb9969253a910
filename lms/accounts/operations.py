"""Account writes: sign-up, sign-in checks, password resets. Plain arguments, one commit each."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from lms.accounts.models import ROLES, LoginSession, User
from lms.accounts.tokens import make_reset_token, read_reset_token, token_matches
from lms.db import session
from lms.outbox.operations import deliver_pending, enqueue_message
from lms.validation import CONTROL_CHARACTERS

# Compared against when the e-mail is unknown, so a wrong e-mail costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(ValueError):
    """A clear, user-facing reason an account action was refused."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """An own account (not one mirrored from a host application) by e-mail, in any case."""
    return (
        session()
        .scalars(
            select(User).where(User.email == normalize_email(email), User.external_id.is_(None))
        )
        .first()
    )


def create_user(*, name: str, email: str, password: str, role: str, now: datetime) -> User:
    """Create an account; refuses an e-mail already in use (any case)."""
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    name, email = name.strip(), normalize_email(email)
    if not name or not email or not password:
        raise AccountError("name, e-mail and password are all required")
    if len(name) > 120 or CONTROL_CHARACTERS.search(name):
        raise AccountError("the name must be at most 120 printable characters")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise AccountError(f"the e-mail address is not valid: {exc}") from exc
    if find_user_by_email(email) is not None:
        raise AccountError("An account with this e-mail already exists. Sign in instead.")
    db = session()
    user = User(
        name=name,
        email=email,
        password_hash=generate_password_hash(password),
        role=role,
        created_at=now,
    )
    db.add(user)
    try:
        db.commit()
    except IntegrityError as exc:  # the same e-mail registered a moment ago
        db.rollback()
        raise AccountError("An account with this e-mail already exists. Sign in instead.") from exc
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    stored = user.password_hash if user is not None else None
    # End the read before the deliberately slow hash check: on SQLite a POST's transaction
    # holds the write lock, and sign-ins should not queue behind each other's hashing.
    session().commit()
    if not stored:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(stored, password) else None


def request_password_reset(
    email: str, reset_url: Callable[[str], str], site_name: str, now: datetime
) -> None:
    """E-mail a reset link if the account exists; say nothing either way (no account probing).

    The message goes through the outbox like all mail: queued and committed, then delivered at
    once, claimed like any other; if the mail server does not take it now, the next
    ``lms outbox deliver`` run (on any host) does."""
    user = find_user_by_email(email)
    if user is None or not user.password_hash:
        return
    link = reset_url(make_reset_token(user))
    db = session()
    message_id = enqueue_message(
        db,
        to=user.email,
        subject=f"{site_name}: reset your password",
        body=f"Hello {user.name},\n\n"
        f"Someone asked to reset the password of your {site_name} account.\n"
        f"To choose a new password, open this link (it works once, for a limited time):\n\n"
        f"{link}\n\nIf it was not you, ignore this message; your password stays as it is.\n",
        now=now,
    )
    # Committed before sending: on SQLite a POST's transaction holds the write lock, which a
    # slow mail server must not keep from everyone else.
    db.commit()
    deliver_pending(db, now, only=[message_id])


def user_for_reset_token(token: str) -> User | None:
    read = read_reset_token(token)
    if read is None:
        return None
    user = session().get(User, read[0])
    if user is None or not token_matches(user, read[1]):
        return None
    return user


def reset_password(token: str, new_password: str, now: datetime) -> User:
    """Set a new password from a reset link; every open sign-in of the account ends."""
    user = user_for_reset_token(token)
    if user is None:
        raise AccountError(
            "This reset link is invalid, expired or already used. Ask for a new one."
        )
    user.password_hash = generate_password_hash(new_password)
    _end_sessions(user.id, now, "password reset")
    session().commit()
    return user


def change_password(user: User, current: str, new_password: str, now: datetime) -> None:
    """Change a signed-in person's password and end every sign-in of theirs, this one too (its
    cookie may be the stolen one): the caller signs them in afresh."""
    stored = user.password_hash
    session().commit()  # end the read before the slow hash check (see authenticate)
    if not stored or not check_password_hash(stored, current):
        raise AccountError("The current password is wrong.")
    user.password_hash = generate_password_hash(new_password)
    _end_sessions(user.id, now, "password changed")
    session().commit()


# --- Sign-ins -------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(user: User, now: datetime) -> str:
    """Record a new sign-in and return its token (kept only in the person's session cookie)."""
    token = secrets.token_urlsafe(32)
    session().add(LoginSession(user_id=user.id, token_hash=_token_hash(token), created_at=now))
    session().commit()
    user.login_token = token
    return token


#: Built once: every signed-in request runs it (building it cost more than running it).
_OPEN_SIGN_IN = (
    select(User)
    .join(LoginSession, LoginSession.user_id == User.id)
    .where(
        User.id == bindparam("user_id"),
        User.external_id.is_(None),
        LoginSession.token_hash == bindparam("token_hash"),
        LoginSession.ended_at.is_(None),
        LoginSession.created_at > bindparam("since"),
    )
)


def user_for_session(user_id: int, token: str, now: datetime, max_age: timedelta) -> User | None:
    """The account of an open, unexpired sign-in; None once it was ended or grew too old."""
    if not token:
        return None
    user = session().scalar(
        _OPEN_SIGN_IN,
        {"user_id": user_id, "token_hash": _token_hash(token), "since": now - max_age},
    )
    if user is not None:
        user.login_token = token
    return user


def end_session(token: str | None, now: datetime, reason: str = "sign-out") -> None:
    """Sign-out: the sign-in ends on the server, so a copy of the cookie no longer works."""
    if token:
        session().execute(
            update(LoginSession)
            .where(LoginSession.token_hash == _token_hash(token), LoginSession.ended_at.is_(None))
            .values(ended_at=now, ended_reason=reason)
        )
        session().commit()


def _end_sessions(user_id: int, now: datetime, reason: str) -> None:
    session().execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
        .values(ended_at=now, ended_reason=reason)
    )
