"""Learners' registrations for events: a seat while there are seats, else a place on the
waitlist; cancelling a seat gives it to the first on the waitlist.

Every write first takes the event's lock with the same conditional update the check-in uses
(``UPDATE lms_event ... WHERE id = ? AND status = 'scheduled'``), so registrations, cancels
and promotions of one event happen one after the other: two people never take the last seat,
and a freed seat promotes exactly one person, once, however many cancel at the same moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.db import session
from lms.events.models import Event, Registration
from lms.events.operations import EventRefused, lock_open_event
from lms.notifications.operations import email_link
from lms.outbox.operations import queue_message
from lms.times import local_text, zone_named

REGISTERED, WAITLISTED, CANCELLED = "registered", "waitlisted", "cancelled"
#: Events per page of the learner's list.
EVENTS_PER_PAGE = 20


@dataclass(frozen=True)
class Place:
    """Where a person stands for an event: ``state`` is "registered", "waitlisted" or None
    (not registered); ``position`` is their place on the waitlist (1 = next to get a seat)."""

    state: str | None
    position: int | None = None

    @property
    def message(self) -> str:
        if self.state == REGISTERED:
            return "You have a seat."
        if self.state == WAITLISTED:
            return (
                f"You are number {self.position} on the waitlist: a seat is yours as soon as "
                f"{'one frees up' if self.position == 1 else 'enough free up'}, and we e-mail you."
            )
        return "You are not registered."


def _row(event_id: int, user_id: int) -> Registration | None:
    return (
        session()
        .scalars(
            select(Registration).where(
                Registration.event_id == event_id, Registration.user_id == user_id
            )
        )
        .first()
    )


def seats_taken(event_id: int) -> int:
    return (
        session().scalar(
            select(func.count()).where(
                Registration.event_id == event_id, Registration.state == REGISTERED
            )
        )
        or 0
    )


def _position(row: Registration) -> int:
    """1 + how many waiting people joined the queue before this one (ids are handed out in
    queue order: rows are inserted under the event's lock, and a return is a new row)."""
    ahead = session().scalar(
        select(func.count()).where(
            Registration.event_id == row.event_id,
            Registration.state == WAITLISTED,
            Registration.id < row.id,
        )
    )
    return (ahead or 0) + 1


def place_of(event_id: int, user_id: int) -> Place:
    row = _row(event_id, user_id)
    if row is None or row.state == CANCELLED:
        return Place(None)
    if row.state == WAITLISTED:
        return Place(WAITLISTED, _position(row))
    return Place(REGISTERED)


def _check_open(event: Event, user_id: int, now: datetime) -> None:
    if event.status == "cancelled":
        raise EventRefused(f"“{event.title}” was cancelled.", status=409)
    if event.status != "scheduled" or now >= event.starts_at:
        raise EventRefused(
            f"Registration for “{event.title}” closed when it started; "
            "if you are there, check in with the trainer's code.",
            status=409,
        )
    if user_id == event.owner_id:
        raise EventRefused("You run this event: its trainer does not register for it.")


def register(event: Event, user_id: int, now: datetime) -> Place:
    """A seat if one is free, else the back of the waitlist; commits. Registering again
    changes nothing and says where they stand. EventRefused when the event is closed."""
    _check_open(event, user_id, now)
    db = session()
    lock_open_event(event)  # from here until the commit, this event's queue is ours
    row = _row(event.id, user_id)
    if row is not None and row.state != CANCELLED:
        db.rollback()
        return place_of(event.id, user_id)
    full = event.capacity is not None and seats_taken(event.id) >= event.capacity
    state = WAITLISTED if full else REGISTERED
    stamp = now.replace(microsecond=0)
    if row is not None:  # registering again after cancelling: a new row, the back of the queue
        db.execute(delete(Registration).where(Registration.id == row.id))
    db.add(Registration(event_id=event.id, user_id=user_id, state=state, queued_at=stamp))
    try:
        db.commit()
    except IntegrityError:  # registered at this moment in another tab
        db.rollback()
    return place_of(event.id, user_id)


def cancel(event: Event, user_id: int, now: datetime) -> User | None:
    """Give up a seat or a place on the waitlist; commits. A freed seat goes to the first on
    the waitlist, in the same transaction, with an e-mail telling them; returns that person
    (None when nobody was promoted)."""
    _check_open(event, user_id, now)
    db = session()
    lock_open_event(event)
    row = _row(event.id, user_id)
    if row is None or row.state == CANCELLED:
        db.rollback()
        raise EventRefused(f"You are not registered for “{event.title}”.", status=409)
    freed_seat = row.state == REGISTERED
    row.state, row.cancelled_at = CANCELLED, now.replace(microsecond=0)
    db.flush()
    promoted = _promote_next(event, now) if freed_seat else None
    db.commit()
    return promoted


def _promote_next(event: Event, now: datetime) -> User | None:
    """Move the first waiting person to a free seat, if there is one (inside the caller's
    transaction, under the event's lock). The update is conditional on the row still waiting,
    so even without the lock nobody is promoted twice."""
    if event.capacity is not None and seats_taken(event.id) >= event.capacity:
        return None
    db = session()
    first = db.scalars(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.state == WAITLISTED)
        .order_by(Registration.id)
        .limit(1)
    ).first()
    if first is None:
        return None
    moved = db.execute(
        update(Registration)
        .where(Registration.id == first.id, Registration.state == WAITLISTED)
        .values(state=REGISTERED, promoted_at=now.replace(microsecond=0))
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        return None
    person = db.get(User, first.user_id)
    assert person is not None  # a registration's user_id is a foreign key
    zone = zone_named(person.time_zone) or zone_named(event.time_zone) or zone_named("UTC")
    assert zone is not None
    # Like a notification's link: from LMS_BASE_URL, never from the request's Host header.
    link = email_link("lms.events.event_page", event_id=event.id)
    queue_message(
        db,
        to=person.email,
        subject=f"You have a seat: {event.title}",
        body=(
            f"Hello {person.name},\n\nA seat came free at “{event.title}” and it is yours: "
            f"{local_text(event.starts_at, zone)} at {event.place}.\n\n"
            "If you can no longer come, cancel on the event's page so the next person gets it"
            + (f": {link}\n" if link else " (sign in and open Events).\n")
        ),
        now=now,
        dedupe_key=f"event-promoted:{first.id}",  # a row is promoted once
    )
    return person


# What the trainer sees ----------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationLine:
    name: str
    email: str
    state: str
    queued_at: datetime
    promoted_at: datetime | None


def registrations_of(event_id: int) -> tuple[list[RegistrationLine], list[RegistrationLine]]:
    """The seats (in the order they were taken) and the waitlist (in queue order)."""
    rows = session().execute(
        select(Registration, User.name, User.email)
        .join(User, User.id == Registration.user_id)
        .where(Registration.event_id == event_id, Registration.state != CANCELLED)
        .order_by(Registration.id)
    )
    lines = [
        RegistrationLine(name, email, r.state, r.queued_at, r.promoted_at)
        for r, name, email in rows
    ]
    return (
        [line for line in lines if line.state == REGISTERED],
        [line for line in lines if line.state == WAITLISTED],
    )


# What the learner sees ----------------------------------------------------------------------


@dataclass(frozen=True)
class UpcomingEvent:
    event: Event
    taken: int
    #: The viewer's state ("registered", "waitlisted") or None.
    state: str | None

    @property
    def seats_left(self) -> int | None:
        if self.event.capacity is None:
            return None
        return max(self.event.capacity - self.taken, 0)


def upcoming_events(
    user_id: int, now: datetime, *, offset: int, limit: int
) -> tuple[list[UpcomingEvent], int]:
    """Scheduled events not yet over, soonest first, a page at a time, with the seats taken
    and the viewer's registration; and how many there are. Two statements."""
    db = session()
    open_events = (Event.status == "scheduled", Event.ends_at > now)
    total = db.scalar(select(func.count()).select_from(Event).where(*open_events)) or 0
    taken = (
        select(func.count())
        .where(Registration.event_id == Event.id, Registration.state == REGISTERED)
        .correlate(Event)
        .scalar_subquery()
    )
    mine = (
        select(Registration.state)
        .where(
            Registration.event_id == Event.id,
            Registration.user_id == user_id,
            Registration.state != CANCELLED,
        )
        .correlate(Event)
        .scalar_subquery()
    )
    rows = db.execute(
        select(Event, taken, mine)
        .where(*open_events)
        .order_by(Event.starts_at, Event.id)
        .offset(offset)
        .limit(limit)
    )
    return [UpcomingEvent(e, n or 0, state) for e, n, state in rows], total


def my_events(user_id: int, since: datetime, limit: int = 200) -> list[tuple[Event, str]]:
    """The events a person holds a seat or waits for, ending after ``since``, for their
    calendar feed."""
    rows = session().execute(
        select(Event, Registration.state)
        .join(Registration, Registration.event_id == Event.id)
        .where(
            Registration.user_id == user_id,
            Registration.state != CANCELLED,
            Event.status != "cancelled",
            Event.ends_at > since,
        )
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    )
    return [(event, state) for event, state in rows]
