"""Queue e-mail inside a transaction; deliver it after the commit, from any number of hosts.

A message queued with a ``dedupe_key`` is queued once, however often the code that queues it
runs (``lms send-reminders`` from cron, say). Delivery claims each message with a lease before
sending it: a conditional update that succeeds only while nobody else's lease holds, so two
deliverers (two hosts' cron jobs, or a cron job and a request) never send the same message
at the same time. A failed send gives the claim back for the next run; a deliverer that dies
mid-send leaves a lease that lapses (``LMS_OUTBOX_LEASE_SECONDS``), and the message is sent
again then (at least once, never silently lost; at most once per claim).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.clock import now as clock_now
from lms.mail import MailError, send_mail
from lms.outbox.models import OutboxMessage

#: A message that failed this many times is left for a person to look at.
MAX_ATTEMPTS = 5


def queue_message(
    db: Session,
    *,
    to: str,
    subject: str,
    body: str,
    now: datetime,
    dedupe_key: str | None = None,
) -> bool:
    """Add a message to the outbox in the caller's transaction; False when a message with the
    same ``dedupe_key`` was queued before (nothing is added then)."""
    queued = enqueue_message(db, to=to, subject=subject, body=body, now=now, dedupe_key=dedupe_key)
    return queued is not None


def enqueue_message(
    db: Session,
    *,
    to: str,
    subject: str,
    body: str,
    now: datetime,
    dedupe_key: str | None = None,
) -> int | None:
    """As :func:`queue_message`, returning the new message's id (to deliver it at once after
    the commit), or None when its ``dedupe_key`` was queued before."""
    if dedupe_key is not None:
        known = db.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
        if known is not None:
            return None
    message = OutboxMessage(
        dedupe_key=dedupe_key,
        to_address=to,
        subject=subject[:200],
        body=body,
        created_at=now,
        attempts=0,
        last_error="",
    )
    try:
        with db.begin_nested():  # a racing run queued it first: only this message is undone
            db.add(message)
    except IntegrityError:
        return None
    return message.id


@dataclass(frozen=True)
class Delivery:
    sent: int
    failed: int


def deliver_pending(
    db: Session, now: datetime, limit: int = 500, only: Sequence[int] | None = None
) -> Delivery:
    """Send what is queued (oldest first; ``only`` these ids when given), committing after
    each claim and each result: call it after the caller's own commit. ``now`` is when the
    run began; every claim reads the clock again, as a long run may outlast a lease."""
    lease = timedelta(seconds=int(current_app.config["LMS_OUTBOX_LEASE_SECONDS"]))
    moment = max(now, clock_now())
    candidates = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.attempts < MAX_ATTEMPTS,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= moment),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if only is not None:
        candidates = candidates.where(OutboxMessage.id.in_(list(only)))
    ids = list(db.scalars(candidates))
    db.commit()  # end the read: on SQLite an open transaction would hold the write lock
    sent = failed = 0
    for message_id in ids:
        message = _claim(db, message_id, clock_now(), lease)
        if message is None:
            continue  # sent, or claimed by another deliverer, since the list was read
        to, subject, body = message
        try:
            send_mail(to, subject, body)
        except MailError as exc:
            # Give the claim back: the next run (on any host) tries again. The body is kept
            # until the last attempt only.
            error = {"last_error": str(exc)[:2000] or "failed", "claimed_until": None}
            _finish(db, message_id, **error, **_forgotten_after(message_id, db))
            failed += 1
            continue
        # The outbox records that a message went, not what it said: a password-reset link
        # must not outlive its sending in the table (or in tomorrow's backup).
        _finish(db, message_id, sent_at=clock_now(), last_error="", body="")
        sent += 1
    return Delivery(sent=sent, failed=failed)


def _claim(
    db: Session, message_id: int, moment: datetime, lease: timedelta
) -> tuple[str, str, str] | None:
    """Take the message for ``lease`` if it is still unsent and nobody's lease holds: one
    conditional update, so of two deliverers racing for it exactly one wins (on PostgreSQL the
    loser's update waits for the winner's commit, then finds the lease taken; on SQLite writes
    take turns). Returns what to send, or None when another deliverer has it."""
    try:
        claimed = db.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.attempts < MAX_ATTEMPTS,
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= moment),
            )
            .values(attempts=OutboxMessage.attempts + 1, claimed_until=moment + lease)
            .execution_options(synchronize_session=False)
        ).rowcount
        row = None
        if claimed == 1:
            row = db.execute(
                select(OutboxMessage.to_address, OutboxMessage.subject, OutboxMessage.body).where(
                    OutboxMessage.id == message_id
                )
            ).one()
        db.commit()
    except Exception:
        db.rollback()
        raise
    return tuple(row) if row is not None else None


def _forgotten_after(message_id: int, db: Session) -> dict[str, str]:
    """The body's blanking once a failed message has had its last attempt."""
    attempts = db.scalar(select(OutboxMessage.attempts).where(OutboxMessage.id == message_id))
    return {"body": ""} if attempts is not None and attempts >= MAX_ATTEMPTS else {}


def _finish(db: Session, message_id: int, **values: object) -> None:
    db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.commit()


@dataclass(frozen=True)
class OutboxState:
    """What an operator watches: messages waiting, and those given up on after MAX_ATTEMPTS."""

    waiting: int
    given_up: int
    oldest_waiting: datetime | None


def outbox_state(db: Session) -> OutboxState:
    unsent = OutboxMessage.sent_at.is_(None)
    waiting, oldest = db.execute(
        select(func.count(), func.min(OutboxMessage.created_at)).where(
            unsent, OutboxMessage.attempts < MAX_ATTEMPTS
        )
    ).one()
    given_up = db.scalar(select(func.count()).where(unsent, OutboxMessage.attempts >= MAX_ATTEMPTS))
    return OutboxState(waiting=waiting, given_up=given_up or 0, oldest_waiting=oldest)
