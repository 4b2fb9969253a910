"""Recording notifications, e-mailing them through the outbox, reading and marking them.

``notify`` runs in the caller's transaction, the one that writes the event it reports (a
certificate, a claim's decision, a course's review): both are kept or neither. The unique
key on (kind, subject, person) makes it exactly once: a retried or racing request that
reports the same event again records nothing and queues no second e-mail.

Each person's count of unread notifications (``lms_user.unread_notifications``, the header's
badge) moves in the same transactions, by exactly the rows each one added or marked read;
the increments take the user row's lock, so racing transactions add up instead of
overwriting each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import current_app, has_request_context
from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.db import session
from lms.notifications.kinds import KINDS
from lms.notifications.models import Notification, NotificationPreference
from lms.notifications.tokens import make_preferences_token
from lms.outbox.operations import queue_message
from lms.urls import external_url

#: From this many unread notifications the badge shows "99+".
BADGE_CAP = 100


def notify(
    db: Session,
    *,
    user_id: int,
    kind: str,
    subject_key: str,
    title: str,
    body: str,
    now: datetime,
    endpoint: str = "",
    values: Mapping[str, Any] | None = None,
) -> bool:
    """Record the notification for the person and queue its e-mail unless they turned e-mail
    off for the kind; the caller commits. False when it was recorded before (nothing added)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    values = dict(values or {})
    notification = Notification(
        user_id=user_id,
        kind=kind,
        subject_key=subject_key[:120],
        title=title[:200],
        body=body,
        link=site_path(endpoint, values) if endpoint else "",
        created_at=now,
        read_at=None,
    )
    try:
        with db.begin_nested():  # a racing request recorded it first: only this row is undone
            db.add(notification)
    except IntegrityError:
        return False
    _count_unread(db, user_id, +1)
    user = db.get(User, user_id)
    if user is not None and wants_email(db, user_id, kind) and _deliverable(user.email):
        queue_message(
            db,
            to=user.email,
            subject=title,
            body=email_text(user, kind, body, endpoint, values),
            now=now,
            dedupe_key=f"notification:{notification.id}",
        )
    return True


def site_path(endpoint: str, values: Mapping[str, Any]) -> str:
    """The page's path inside the site, built without a request (the reminders job has none);
    pages add the host's mount point when they show it."""
    return current_app.url_map.bind("localhost").build(endpoint, dict(values))


def _deliverable(address: str) -> bool:
    # A host's user without an address is mirrored as <id>@host.invalid: nobody to mail.
    return bool(address) and not address.endswith(".invalid")


def _absolute(endpoint: str, **values: Any) -> str:
    """A link for an e-mail, only from LMS_BASE_URL outside testing and debug (never from a
    request's Host header, which the sender chooses); "" when there is no base to build it
    on (the e-mail then tells the reader where to look after signing in)."""
    app = current_app
    trusted_request = (app.testing or app.debug) and has_request_context()
    if not app.config["LMS_BASE_URL"] and not trusted_request:
        return ""
    return external_url(endpoint, **values)


def email_link(endpoint: str, **values: Any) -> str:
    """A page's link for any e-mail, by the same rule as a notification's ("" when there is no
    trusted base to build it on)."""
    return _absolute(endpoint, **values)


def email_text(user: User, kind: str, body: str, endpoint: str, values: Mapping[str, Any]) -> str:
    lines = [f"Hello {user.name},", "", body]
    link = _absolute(endpoint, **values) if endpoint else ""
    if link:
        lines += ["", f"Open it: {link}"]
    preferences = _absolute(
        "lms.notifications.preferences_by_link", token=make_preferences_token(user.id)
    )
    lines += [
        "",
        "--",
        f'You get this e-mail because e-mail is on for "{KINDS[kind].label}". '
        "The notification stays in your Notifications page either way.",
        "Choose which e-mails you receive: "
        + (preferences or "sign in and open Notifications, then E-mail preferences."),
    ]
    return "\n".join(lines)


def wants_email(db: Session, user_id: int, kind: str) -> bool:
    chosen = db.scalar(
        select(NotificationPreference.email).where(
            NotificationPreference.user_id == user_id, NotificationPreference.kind == kind
        )
    )
    return True if chosen is None else bool(chosen)


def email_preferences(user_id: int) -> dict[str, bool]:
    """Each kind's e-mail setting for the person (on unless they turned it off)."""
    chosen = dict(
        session()
        .execute(
            select(NotificationPreference.kind, NotificationPreference.email).where(
                NotificationPreference.user_id == user_id
            )
        )
        .all()
    )
    return {code: bool(chosen.get(code, True)) for code in KINDS}


def set_email_preferences(user_id: int, choices: Mapping[str, bool]) -> None:
    """Save the person's choice for every kind given; commits. Unknown kinds are refused."""
    unknown = set(choices) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown notification kinds: {sorted(unknown)}")
    db = session()
    for kind, email in choices.items():
        changed = db.execute(
            update(NotificationPreference)
            .where(NotificationPreference.user_id == user_id, NotificationPreference.kind == kind)
            .values(email=bool(email))
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed:
            continue
        try:
            with db.begin_nested():
                db.add(NotificationPreference(user_id=user_id, kind=kind, email=bool(email)))
        except IntegrityError:  # saved at the same moment from another tab: the last one wins
            db.execute(
                update(NotificationPreference)
                .where(
                    NotificationPreference.user_id == user_id, NotificationPreference.kind == kind
                )
                .values(email=bool(email))
                .execution_options(synchronize_session=False)
            )
    db.commit()


def notifications_page(user_id: int, number: int, size: int) -> tuple[list[Notification], int]:
    """One page of the person's notifications, newest first, and how many they have."""
    db = session()
    total = db.scalar(
        select(func.count()).select_from(Notification).where(Notification.user_id == user_id)
    )
    items = list(
        db.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id.desc())
            .limit(size)
            .offset((number - 1) * size)
        )
    )
    return items, total or 0


def own_notification(user_id: int, notification_id: int) -> Notification | None:
    """The person's notification with that id; None for another's or a missing one."""
    if not 0 < notification_id < 2**31:
        return None
    return session().scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user_id
        )
    )


def _count_unread(db: Session, user_id: int, delta: int) -> None:
    """Move the person's unread count by the rows this transaction added (+) or read (-);
    never below zero."""
    if not delta:
        return
    counter = User.unread_notifications
    db.execute(
        update(User)
        .where(User.id == user_id)
        .values(unread_notifications=case((counter + delta > 0, counter + delta), else_=0))
        .execution_options(synchronize_session=False)
    )


def badge_text(unread: int) -> str:
    """What the header shows: "" for none, the number, or "99+" from BADGE_CAP on."""
    if unread <= 0:
        return ""
    return f"{BADGE_CAP - 1}+" if unread >= BADGE_CAP else str(unread)


def mark_read(user_id: int, notification_id: int, now: datetime) -> None:
    """Mark one of the person's notifications read (again is harmless); commits."""
    db = session()
    marked = db.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.user_id == user_id,
            Notification.read_at.is_(None),
        )
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    _count_unread(db, user_id, -marked)
    db.commit()


def mark_all_read(user_id: int, now: datetime) -> int:
    """Mark every unread notification of the person read; commits; how many were unread."""
    db = session()
    marked = db.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    _count_unread(db, user_id, -marked)
    db.commit()
    return marked
