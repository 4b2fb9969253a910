"""A person's notifications and their e-mail preferences per kind."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base


class Notification(Base):
    __tablename__ = "lms_notification"
    __table_args__ = (
        # Exactly once: a retried or racing request that reports the same event to the same
        # person meets this key and records (and e-mails) nothing more.
        UniqueConstraint("kind", "subject_key", "user_id"),
        # The list, newest first, one person at a time.
        Index("ix_lms_notification_user_id_id", "user_id", "id"),
        # "Mark all read" touches only this person's unread rows.
        Index(
            "ix_lms_notification_unread",
            "user_id",
            sqlite_where=text("read_at IS NULL"),
            postgresql_where=text("read_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"))
    #: One of lms.notifications.kinds.KINDS.
    kind: Mapped[str] = mapped_column(String(40))
    #: What the notification is about, e.g. "certificate:17"; with the kind and the person,
    #: the key that makes it exactly once.
    subject_key: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    #: The page it is about, as a path inside the site (without the host's mount point), or "".
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]


class NotificationPreference(Base):
    """A person's choice for one kind; no row means the default (e-mail on)."""

    __tablename__ = "lms_notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    email: Mapped[bool] = mapped_column(default=True)
