"""A person's calendar feed: the secret in its address (made, regenerated, ended) and what it
holds (their events and requirement due dates).

Calendar applications fetch the feed without a session, so the address itself is the key: a
random 256-bit token, one per person, unique. It is stored as it is (not hashed) so the page
can show the address again; reading it from the database gives only what the database holds
anyway. Regenerating replaces it, so the old address stops working at once.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from lms.accounts.models import User
from lms.db import session
from lms.events.calendar import DueDate
from lms.requirements.operations import compliance_of

#: Events that ended longer ago than this drop out of the feed.
FEED_KEEPS_PAST = timedelta(days=90)
TOKEN_BYTES = 32


def new_feed_token(user_id: int) -> str:
    """Make (or replace) the person's feed address; commits. Returns the new token."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db = session()
    db.execute(
        update(User)
        .where(User.id == user_id)
        .values(calendar_token=token)
        .execution_options(synchronize_session=False)
    )
    db.commit()
    return token


def end_feed(user_id: int) -> None:
    """The feed's address stops working; commits."""
    db = session()
    db.execute(
        update(User)
        .where(User.id == user_id)
        .values(calendar_token=None)
        .execution_options(synchronize_session=False)
    )
    db.commit()


def feed_token_of(user_id: int) -> str | None:
    return session().scalar(select(User.calendar_token).where(User.id == user_id))


def feed_owner(token: str) -> User | None:
    """The person whose feed this token opens; None for anything else."""
    # Shorter or longer strings are never a token: no lookup for them.
    if not 40 <= len(token) <= 64 or not token.replace("-", "").replace("_", "").isalnum():
        return None
    return session().scalars(select(User).where(User.calendar_token == token)).first()


def due_dates_of(user_id: int, now: datetime) -> list[DueDate]:
    """Each current requirement's due date, with what is still missing."""
    dates = []
    for s in compliance_of(user_id, now.date()).standings:
        scope = ", ".join(s.certification_codes) if s.pooled else s.certification
        missing = (
            f"{s.missing.normalize():f} {s.credit_unit} still needed."
            if s.missing > 0
            else "Nothing more is needed this cycle."
        )
        dates.append(
            DueDate(
                key=f"{user_id}-{s.rule_code}-{s.certification or 'pooled'}-{s.cycle_start:%Y%m%d}",
                title=f"Credits due: {s.rule_name} ({scope})",
                due_on=s.cycle_end,
                description=(
                    f"{s.earned.normalize():f} of {s.required.normalize():f} {s.credit_unit} "
                    f"earned. {missing}"
                ),
            )
        )
    return dates
