"""iCalendar (RFC 5545) files: one event's "add to calendar" file and a person's feed of their
events and requirement due dates. Pure: plain values in, bytes out; the ``icalendar`` package
does the escaping, CRLF line ends and line folding.

Times are written in UTC (``...Z``): every calendar application shows them in its own zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import icalendar

from lms.events.models import Event

PRODUCT_ID = "-//CEC Learning//LMS events//EN"


@dataclass(frozen=True)
class DueDate:
    """A requirement's due date, as an all-day entry in the feed."""

    key: str
    title: str
    due_on: date
    description: str


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _calendar(name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def event_component(
    event: Event, *, host: str, url: str, now: datetime, tentative: bool = False
) -> icalendar.Event:
    entry = icalendar.Event()
    # Stable per event and site, so a calendar updates the entry instead of adding another.
    entry.add("uid", f"event-{event.id}@{host}")
    entry.add("dtstamp", _utc(now))
    entry.add("dtstart", _utc(event.starts_at))
    entry.add("dtend", _utc(event.ends_at))
    entry.add("summary", event.title)
    entry.add("location", event.place)
    credits = f"{event.credits.normalize():f} {event.credit_unit}"
    details = f"{credits}. {event.description}".strip() if event.description else credits
    entry.add("description", f"{details}\n\n{url}")
    entry.add("url", url)
    # A cancelled event stays in a calendar that imported it, marked so (RFC 5545 3.8.1.11).
    status = "TENTATIVE" if tentative else "CONFIRMED"
    entry.add("status", "CANCELLED" if event.status == "cancelled" else status)
    return entry


def event_file(event: Event, *, host: str, url: str, now: datetime) -> bytes:
    """The .ics file of one event (its "add to calendar" link)."""
    calendar = _calendar(event.title)
    calendar.add("method", "PUBLISH")
    calendar.add_component(event_component(event, host=host, url=url, now=now))
    return calendar.to_ical()


def feed_file(
    name: str,
    events: Iterable[tuple[Event, str, str]],
    due_dates: Iterable[DueDate],
    *,
    host: str,
    now: datetime,
) -> bytes:
    """A person's feed: their events as (event, state, url), a waitlisted one marked
    tentative, and each requirement's due date as an all-day entry."""
    calendar = _calendar(name)
    for event, state, url in events:
        entry = event_component(event, host=host, url=url, now=now, tentative=state != "registered")
        if state != "registered":
            entry["summary"] = f"Waitlist: {event.title}"
        calendar.add_component(entry)
    for due in due_dates:
        entry = icalendar.Event()
        entry.add("uid", f"due-{due.key}@{host}")
        entry.add("dtstamp", _utc(now))
        entry.add("dtstart", due.due_on)
        entry.add("dtend", due.due_on + timedelta(days=1))
        entry.add("summary", due.title)
        entry.add("description", due.description)
        entry.add("transp", "TRANSPARENT")
        calendar.add_component(entry)
    return calendar.to_ical()
