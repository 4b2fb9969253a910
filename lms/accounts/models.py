"""People known to the LMS."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base

ROLES = ("learner", "trainer", "admin")


class User(UserMixin, Base):
    __tablename__ = "lms_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-case; unique.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: The name printed on certificates.
    name: Mapped[str] = mapped_column(String(120))
    #: None for people who sign in through a host application.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="learner")
    #: The host application's user id, when the LMS runs on the host's accounts.
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime]

    def has_role(self, *roles: str) -> bool:
        return self.role in roles
