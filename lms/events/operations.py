"""Events: creating one, checking attendees in, the trainer's roster and its confirmation.

Every write that depends on the event still being open first runs
``UPDATE lms_event ... WHERE id = ? AND status = 'scheduled'``: that takes the event's row
lock (the write lock on SQLite), so check-ins, roster changes and the confirmation happen one
after the other, and none lands after the roster was confirmed.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.accounts.operations import normalize_email
from lms.catalogue.models import Certification
from lms.claims import fields
from lms.credits.ledger import append_entry
from lms.db import session
from lms.events.models import Attendance, Event
from lms.events.tokens import checkin_grace
from lms.requirements.operations import cycles_for
from lms.times import local_text, local_to_utc, zone_named
from lms.validation import Checked, Refused

UTC_ZONE = ZoneInfo("UTC")
#: No 0/O, 1/I/L: a code read aloud or copied from a slide is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
EVENT_FIELDS = (
    "title",
    "description",
    "place",
    "starts_at",
    "ends_at",
    "credits",
    "hours",
    "credit_unit",
    "category",
    "certification_codes",
    "capacity",
    "time_zone",
)
MAX_CAPACITY = 100_000
#: A longer "event" is a typing slip in a date.
MAX_DURATION = timedelta(days=31)
METHOD_LABELS = {"code": "Code", "qr": "QR code", "trainer": "Added by the trainer"}
STATUS_LABELS = {
    "scheduled": "Scheduled",
    "confirmed": "Roster confirmed",
    "cancelled": "Cancelled",
}


class EventRefused(Refused):
    """Refused, nothing written; ``status`` is 400 (the request) or 409 (the event's state)."""


# Creating an event -----------------------------------------------------------------------


def all_certifications() -> list[Certification]:
    return list(session().scalars(select(Certification).order_by(Certification.code)))


def _when(value: str, name: str, label: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip().replace(" ", "T"))
    except ValueError:
        raise fields.FieldError(f"Give the {label} as a date and time.", name) from None
    if moment.tzinfo is not None or not 2000 <= moment.year <= 2100:
        raise fields.FieldError(
            f"Give the {label} as a date and time, local to the place, without an offset.", name
        )
    return moment.replace(second=0, microsecond=0)


def _capacity(value: str) -> int | None:
    text = value.strip()
    if not text:
        return None
    if not (text.isascii() and text.isdecimal()) or not 1 <= int(text[:7]) <= MAX_CAPACITY:
        raise fields.FieldError(
            f"The capacity is a whole number from 1 to {MAX_CAPACITY}, or empty for no limit.",
            "capacity",
        )
    return int(text)


def _zone(value: str) -> str | None:
    """The IANA zone of the place; empty means the times were given in UTC."""
    text = value.strip()
    if not text:
        return None
    if zone_named(text) is None:
        raise fields.FieldError("Choose the time zone from the list.", "time_zone")
    return text


def _to_utc(checked: Checked) -> None:
    """The start and end, given as local times in the event's zone, stored in UTC."""
    zone = zone_named(checked.values.get("time_zone"))
    if zone is None:
        return
    for name, label in (("starts_at", "start"), ("ends_at", "end")):
        local = checked.values.get(name)
        if local is None:
            continue
        utc = local_to_utc(local, zone)
        if utc is None:
            checked.errors[name] = (
                f"The clocks skip the {label} time you gave (daylight saving time starts "
                "then): give a time an hour later."
            )
        checked.values[name] = utc


def check_event_form(form: Mapping[str, Any], codes: list[str]) -> Checked:
    """Every field of the event form checked at once. ``form`` is a MultiDict (the
    certification checkboxes repeat); ``codes`` are the certifications that exist."""
    units = fields.credit_units()
    checks = {
        "title": lambda v: fields.text(v, "title", "title", 200),
        "description": lambda v: fields.long_text(v, "description", "description", 5000),
        "place": lambda v: fields.text(v, "place", "place", 200),
        "starts_at": lambda v: _when(v, "starts_at", "start"),
        "ends_at": lambda v: _when(v, "ends_at", "end"),
        "credits": lambda v: fields.amount(v, "credits", "credits", fields.MAX_CREDITS),
        "hours": lambda v: fields.amount(v, "hours", "hours", fields.MAX_HOURS),
        "credit_unit": lambda v: fields.choice(v, "credit_unit", "credit unit", units),
        "category": lambda v: fields.choice(v, "category", "category", fields.CATEGORIES),
        "capacity": _capacity,
        "time_zone": _zone,
    }
    checked = Checked()
    for name, check in checks.items():
        raw = form.get(name, "")
        try:
            checked.values[name] = check(raw if isinstance(raw, str) else "")
        except fields.FieldError as exc:
            checked.errors[name] = str(exc)
    _to_utc(checked)
    starts, ends = checked.values.get("starts_at"), checked.values.get("ends_at")
    if starts and ends and "ends_at" not in checked.errors:
        if ends <= starts:
            checked.errors["ends_at"] = "The end must be after the start."
        elif ends - starts > MAX_DURATION:
            checked.errors["ends_at"] = "An event lasts at most 31 days: check the dates."
    chosen = form.getlist("certification") if hasattr(form, "getlist") else []
    if any(code not in codes for code in chosen):
        checked.errors["certification_codes"] = "Choose the certifications from the list."
    elif codes and not chosen:
        checked.errors["certification_codes"] = "Choose the certifications the event counts toward."
    checked.values["certification_codes"] = sorted(set(chosen) & set(codes))
    return checked


def new_checkin_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def create_event(owner_id: int, values: Mapping[str, Any], now: datetime) -> Event:
    """A new scheduled event with a fresh check-in code; commits. A code already in use (the
    unique constraint says so, even for a race) is replaced by another."""
    db = session()
    for _ in range(10):
        event = Event(
            owner_id=owner_id,
            **{name: values[name] for name in EVENT_FIELDS},
            checkin_code=new_checkin_code(),
            status="scheduled",
            created_at=now.replace(microsecond=0),
        )
        db.add(event)
        try:
            db.commit()
        except IntegrityError:
            db.rollback()
            continue
        return event
    raise RuntimeError("could not find a free check-in code")  # 31**8 codes: never in practice


def normalise_code(code: str) -> str:
    """What people type: "abcd-2345 " -> "ABCD2345"."""
    return "".join(c for c in code.upper() if c.isalnum() and c.isascii())[: CODE_LENGTH * 2]


def event_by_code(code: str) -> Event | None:
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return None
    return session().scalars(select(Event).where(Event.checkin_code == code)).first()


def get_event(event_id: int) -> Event | None:
    return session().get(Event, event_id) if 0 < event_id < 2**31 else None


def events_for(user: User) -> list[Event]:
    """The events the trainer owns (an administrator: all), newest start first."""
    query = select(Event).order_by(Event.starts_at.desc(), Event.id.desc())
    if not user.has_role("admin"):
        query = query.where(Event.owner_id == user.id)
    return list(session().scalars(query))


# Check-in ------------------------------------------------------------------------------


def checkin_opens_at(event: Event) -> datetime:
    return event.starts_at - timedelta(minutes=int(current_app.config["LMS_CHECKIN_OPENS_MINUTES"]))


def checkin_closes_at(event: Event) -> datetime:
    return event.ends_at + checkin_grace()


def _closed_reason(event: Event) -> str:
    if event.status == "cancelled":
        return f"The event “{event.title}” was cancelled."
    return (
        f"The roster of “{event.title}” was confirmed already, so check-in is closed; "
        "ask the trainer if you attended."
    )


def lock_open_event(event: Event) -> None:
    """Take the event's lock, if it is still scheduled; otherwise roll back and refuse."""
    db = session()
    result = db.execute(
        update(Event)
        .where(Event.id == event.id, Event.status == "scheduled")
        .values(status=Event.status)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.rollback()
        db.refresh(event)
        raise EventRefused(_closed_reason(event), status=409)


def _attendance_of(event_id: int, user_id: int) -> Attendance | None:
    return (
        session()
        .scalars(
            select(Attendance).where(Attendance.event_id == event_id, Attendance.user_id == user_id)
        )
        .first()
    )


def _present_count(event_id: int) -> int:
    count = session().scalar(
        select(func.count()).where(Attendance.event_id == event_id, Attendance.removed.is_(False))
    )
    return count or 0


@dataclass(frozen=True)
class CheckinResult:
    attendance: Attendance
    #: False when the person was checked in already (a second scan changes nothing).
    new: bool


def check_in(
    event: Event, user_id: int, method: str, now: datetime, zone: ZoneInfo = UTC_ZONE
) -> CheckinResult:
    """Check a person in by code or QR, once; commits. EventRefused says why not, with times
    in ``zone`` (the attendee's)."""
    if event.status != "scheduled":
        raise EventRefused(_closed_reason(event))
    opens, closes = checkin_opens_at(event), checkin_closes_at(event)
    if now < opens:
        raise EventRefused(
            f"Check-in for “{event.title}” opens at {local_text(opens, zone)}, "
            f"{int((event.starts_at - opens).total_seconds() // 60)} minutes before it starts."
        )
    if now > closes:
        raise EventRefused(
            f"Check-in for “{event.title}” closed at {local_text(closes, zone)}; "
            "ask the trainer to add you to the roster."
        )
    if user_id == event.owner_id:
        raise EventRefused("You run this event: its trainer cannot check in for credit.")
    existing = _attendance_of(event.id, user_id)
    if existing is not None:
        return _existing(existing)
    db = session()
    try:
        lock_open_event(event)
    except EventRefused as exc:
        raise EventRefused(str(exc)) from None  # for the attendee it is a refusal, not a clash
    if event.capacity is not None and _present_count(event.id) >= event.capacity:
        db.rollback()
        raise EventRefused(
            f"“{event.title}” is full: all {event.capacity} places are taken. "
            "Talk to the trainer at the door."
        )
    attendance = Attendance(
        event_id=event.id, user_id=user_id, checked_in_at=now.replace(microsecond=0), method=method
    )
    db.add(attendance)
    try:
        db.commit()
    except IntegrityError:
        # Checked in meanwhile (another tab, a double scan): the unique pair keeps one row.
        db.rollback()
        existing = _attendance_of(event.id, user_id)
        if existing is None:
            raise
        return _existing(existing)
    return CheckinResult(attendance, new=True)


def _existing(attendance: Attendance) -> CheckinResult:
    if attendance.removed:
        raise EventRefused(
            "The trainer took you off this event's roster; ask them if that is a mistake."
        )
    return CheckinResult(attendance, new=False)


# The trainer's roster --------------------------------------------------------------------


@dataclass(frozen=True)
class RosterLine:
    attendance: Attendance
    name: str
    email: str


def roster(event: Event) -> list[RosterLine]:
    rows = session().execute(
        select(Attendance, User.name, User.email)
        .join(User, User.id == Attendance.user_id)
        .where(Attendance.event_id == event.id)
        .order_by(Attendance.checked_in_at, Attendance.id)
    )
    return [RosterLine(attendance, name, email) for attendance, name, email in rows]


def add_attendee(event: Event, email: str, now: datetime) -> tuple[User, str]:
    """The trainer adds someone who forgot to check in (or puts a removed one back); commits.
    Returns the person and what happened, for the trainer's message. The capacity does not
    apply: the trainer sees the room."""
    email = email.strip()
    user = None
    if email and len(email) <= 254:
        # Any account, own or mirrored from a host application.
        user = (
            session()
            .scalars(select(User).where(User.email == normalize_email(email)).order_by(User.id))
            .first()
        )
    if user is None:
        raise EventRefused(
            "Nobody has an account with that e-mail address; they sign up first, then you add them."
        )
    if user.id == event.owner_id:
        raise EventRefused("You run this event: its trainer cannot credit themselves for it.")
    lock_open_event(event)
    db = session()
    existing = _attendance_of(event.id, user.id)
    if existing is not None and not existing.removed:
        db.rollback()
        return user, "already"
    if existing is not None:
        existing.removed = False
        done = "restored"
    else:
        db.add(
            Attendance(
                event_id=event.id,
                user_id=user.id,
                checked_in_at=now.replace(microsecond=0),
                method="trainer",
            )
        )
        done = "added"
    try:
        db.commit()
    except IntegrityError:  # they checked themselves in at this moment
        db.rollback()
        return user, "already"
    return user, done


def remove_attendee(event: Event, attendance_id: int) -> Attendance:
    """Strike an attendee from the roster before it is confirmed (they get no credit); the
    row stays, so a later scan does not put them back. Commits."""
    attendance = session().get(Attendance, attendance_id) if 0 < attendance_id < 2**31 else None
    if attendance is None or attendance.event_id != event.id:
        raise EventRefused("There is no such attendee on this roster.", status=404)
    lock_open_event(event)
    attendance = session().get(Attendance, attendance_id)
    assert attendance is not None
    attendance.removed = True
    session().commit()
    return attendance


def confirm_roster(event: Event, trainer_id: int, now: datetime, zone: ZoneInfo = UTC_ZONE) -> int:
    """Close the roster and credit each attendee not removed, once, in one transaction;
    commits. Returns how many were credited. EventRefused (409) when it was confirmed or
    cancelled already: nothing is written then."""
    if now < event.starts_at:
        raise EventRefused(
            f"The event starts at {local_text(event.starts_at, zone)}; confirm the roster once "
            "it has taken place.",
            status=409,
        )
    db = session()
    result = db.execute(
        update(Event)
        .where(Event.id == event.id, Event.status == "scheduled")
        .values(status="confirmed", confirmed_at=now.replace(microsecond=0))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.rollback()
        db.refresh(event)
        if event.status == "confirmed":
            raise EventRefused(
                "This roster was confirmed already and its attendees were credited; nobody was "
                "credited twice.",
                status=409,
            )
        raise EventRefused(_closed_reason(event), status=409)
    # Read after the update: every check-in that got in before it is counted.
    present = list(
        db.scalars(
            select(Attendance)
            .where(Attendance.event_id == event.id, Attendance.removed.is_(False))
            .order_by(Attendance.id)
        )
    )
    earned_on = event.starts_at.date()
    try:
        for attendance in present:
            append_entry(
                db,
                user_id=attendance.user_id,
                source="event",
                source_ref=f"event:{event.id}:user:{attendance.user_id}",
                description=f"{event.title} ({event.place})",
                credits=event.credits,
                credit_unit=event.credit_unit,
                hours=event.hours,
                category=event.category,
                earned_on=earned_on,
                cycles=cycles_for(attendance.user_id, list(event.certification_codes), earned_on),
                verification="trainer",
                recorded_by_id=trainer_id,
                now=now,
            )
        db.commit()
    except IntegrityError:
        db.rollback()
        raise EventRefused(
            "These attendees were credited already; nothing was changed.", 409
        ) from None
    db.refresh(event)
    return len(present)


def cancel_event(event: Event) -> None:
    """Cancel a scheduled event (nobody is credited); commits."""
    db = session()
    result = db.execute(
        update(Event)
        .where(Event.id == event.id, Event.status == "scheduled")
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.rollback()
        db.refresh(event)
        raise EventRefused(_closed_reason(event), status=409)
    db.commit()
    db.refresh(event)
