"""Reminders: e-mail learners 90, 30 and 7 days before a due date when they are short.

Idempotent per window: the message for (person, rule, due date, window) has one dedupe key
in the outbox, so running ``lms send-reminders`` twice a day, or from two machines, sends it
once. A run that finds someone 25 days before the due date sends the 30-day reminder, even if
the 90-day one was never sent (cron was down): one message per window, the nearest window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from lms.accounts.models import User
from lms.catalogue.models import Holding
from lms.db import session
from lms.notifications.messages import event_reminders
from lms.outbox.operations import Delivery, deliver_pending, queue_message
from lms.rendering import format_number
from lms.requirements.operations import Standing, standing_of
from lms.urls import external_url

#: Days before the due date; a reminder goes out in the nearest window not yet used.
WINDOWS = (90, 30, 7)


def window_for(days_left: int) -> int | None:
    """The smallest window that still contains the day: 25 days left -> 30; 91 -> None."""
    fitting = [w for w in WINDOWS if 0 <= days_left <= w]
    return min(fitting) if fitting else None


def reminder_text(user: User, standing: Standing, days_left: int) -> tuple[str, str]:
    need = f"{format_number(standing.missing)} {standing.credit_unit}"
    covered = standing.certification or ", ".join(standing.certification_codes)
    if covered == "pooled":
        covered = ", ".join(standing.certification_codes)
    subject = (
        f"{need} still needed by {standing.cycle_end.isoformat()} ({standing.rule_name}: {covered})"
    )
    lines = [
        f"Hello {user.name},",
        "",
        f"Your {standing.rule_name} cycle ends on {standing.cycle_end.isoformat()}, in "
        f"{days_left} day{'s' if days_left != 1 else ''}. You have "
        f"{format_number(standing.earned)} of {format_number(standing.required)} "
        f"{standing.credit_unit}: {need} still to earn.",
    ]
    for category, short in standing.missing_by_category.items():
        if short > 0:
            lines.append(f"- {category}: {format_number(short)} {standing.credit_unit} more")
    lines += [
        "",
        f"See what counts and find courses: {external_url('lms.requirements.compliance')}",
    ]
    return subject, "\n".join(lines)


@dataclass(frozen=True)
class ReminderRun:
    queued: int
    already_sent: int
    delivery: Delivery


def send_reminders(today: date, now: datetime) -> ReminderRun:
    """Queue the due reminders in one transaction, commit, then deliver the outbox."""
    db = session()
    queued = already = 0
    holders = db.scalars(select(Holding.user_id).distinct().order_by(Holding.user_id)).all()
    try:
        for user_id in holders:
            user = db.get(User, user_id)
            if user is None:
                continue
            for standing in standing_of(user_id, today):
                days_left = (standing.cycle_end - today).days
                window = window_for(days_left)
                if window is None or standing.status == "complete" or standing.missing <= 0:
                    continue
                subject, body = reminder_text(user, standing, days_left)
                # Per certification: a rule covering two held certifications reminds of each.
                key = (
                    f"reminder:{user_id}:{standing.rule_code}:{standing.certification}:"
                    f"{standing.cycle_end}:{window}"
                )
                if queue_message(
                    db, to=user.email, subject=subject, body=body, now=now, dedupe_key=key
                ):
                    queued += 1
                else:
                    already += 1
        queued += event_reminders(today, now)  # the day before an event, to its seat holders
        db.commit()
    except Exception:
        db.rollback()
        raise
    return ReminderRun(queued=queued, already_sent=already, delivery=deliver_pending(db, now))
