"""People known to the LMS."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base

ROLES = ("learner", "trainer", "admin")


class User(UserMixin, Base):
    __tablename__ = "lms_user"
    __table_args__ = (
        # Own accounts sign in by e-mail, so theirs is unique; people mirrored from a host
        # application are keyed by external_id and may share an address with anyone.
        Index(
            "uq_lms_user_email_own_accounts",
            "email",
            unique=True,
            sqlite_where=text("external_id IS NULL"),
            postgresql_where=text("external_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-case.
    email: Mapped[str] = mapped_column(String(254))
    #: The name printed on certificates.
    name: Mapped[str] = mapped_column(String(120))
    #: None for people who sign in through a host application.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="learner")
    #: The host application's user id, when the LMS runs on the host's accounts.
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime]
    #: IANA zone the person's pages show times in; None until they choose one or their
    #: browser reports its own (lms.times).
    time_zone: Mapped[str | None] = mapped_column(String(64))
    #: The secret in the address of their calendar feed (a calendar app fetches it without a
    #: session); None when they have none. Regenerating it ends the old address.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Unread notifications, kept by lms.notifications in the transactions that add or read
    #: them: the header's badge costs no statement (the row is loaded for the sign-in anyway).
    unread_notifications: Mapped[int] = mapped_column(default=0, server_default=text("0"))

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    #: The sign-in this object was loaded for (set by the login and the session loader).
    #: Not a column (no Mapped annotation), so declarative mapping leaves it alone.
    login_token = None

    @property
    def password_fingerprint(self) -> str:
        """Changes whenever the password does: ends reset links made before."""
        return hashlib.sha256((self.password_hash or "").encode()).hexdigest()[:16]

    def get_id(self) -> str:
        # Flask-Login keeps this in the (signed, client-side) session cookie. The token names a
        # row of lms_login_session, so signing out ends it on the server: a copied cookie
        # replayed afterwards finds no open sign-in.
        return f"{self.id}:{self.login_token or ''}"


class LoginSession(Base):
    """One sign-in of an own account, open until sign-out, a password change or its age limit.

    Only a hash of the token is stored: reading this table does not let anyone sign in.
    """

    __tablename__ = "lms_login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    #: "sign-out", "password changed", "password reset".
    ended_reason: Mapped[str | None] = mapped_column(String(40))
