"""Queue e-mail inside a transaction; deliver it after the commit.

A message queued with a ``dedupe_key`` is queued once, however often the code that queues it
runs (``lms send-reminders`` from cron, say). Delivery claims each message with a conditional
update before sending, so two deliverers never send the same one; a crash between sending and
marking it sent means it is sent again (at least once, never silently lost).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

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
    if dedupe_key is not None:
        known = db.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
        if known is not None:
            return False
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
        return False
    return True


@dataclass(frozen=True)
class Delivery:
    sent: int
    failed: int


def deliver_pending(db: Session, now: datetime, limit: int = 500) -> Delivery:
    """Send what is queued (oldest first), committing after each message."""
    ids = list(
        db.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )
    sent = failed = 0
    for message_id in ids:
        message = db.get(OutboxMessage, message_id)
        if message is None:
            continue
        # Claim it: only the deliverer whose update counts the attempt sends it.
        claimed = db.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.attempts == message.attempts,
            )
            .values(attempts=message.attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.commit()
        if claimed != 1:
            continue
        try:
            send_mail(message.to_address, message.subject, message.body)
        except MailError as exc:
            db.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id)
                .values(last_error=str(exc)[:2000])
                .execution_options(synchronize_session=False)
            )
            db.commit()
            failed += 1
            continue
        db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(sent_at=now, last_error="")
            .execution_options(synchronize_session=False)
        )
        db.commit()
        sent += 1
    return Delivery(sent=sent, failed=failed)
