"""Times in the viewer's zone: every timestamp is stored as naive UTC and shown in the zone of
the person looking at it (their setting, else the zone their browser reported, else
``LMS_DEFAULT_TIME_ZONE``), with the zone's abbreviation, inside ``<time datetime="...Z">``.

Calendar dates (``date`` objects: a credit's earned-on day, a cycle's end) have no zone and are
shown as they are.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import current_app, g, has_request_context, request
from markupsafe import Markup

#: The cookie the browser's script sets to its zone (read only when the account has none).
ZONE_COOKIE = "lms_tz"
#: The zones offered first in the setting's list (the rest follow, alphabetically).
COMMON_ZONES = (
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Toronto",
    "America/Vancouver",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Berlin",
    "Europe/Paris",
    "Australia/Sydney",
    "Pacific/Auckland",
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@cache
def all_zones() -> tuple[str, ...]:
    """Every IANA zone name this system knows, sorted (the "localtime" alias left out)."""
    return tuple(sorted(z for z in available_timezones() if z != "localtime"))


def zone_choices() -> dict[str, list[tuple[str, str]]]:
    """A select's groups: the common zones first, then every other zone."""
    common = [(name, name.replace("_", " ")) for name in COMMON_ZONES]
    others = [(name, name.replace("_", " ")) for name in all_zones() if name not in COMMON_ZONES]
    return {"Common time zones": common, "All time zones": others}


def local_to_utc(local: datetime, zone: ZoneInfo) -> datetime | None:
    """A wall-clock time in a zone as naive UTC; None for a time the clocks skip (the hour
    lost when daylight time starts). A repeated hour (when it ends) is read as the first."""
    aware = local.replace(tzinfo=zone, fold=0)
    utc = aware.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != local.replace(fold=0):
        return None
    return utc.replace(tzinfo=None)


def zone_named(name: str | None) -> ZoneInfo | None:
    """The zone of an IANA name, or None for an empty, malformed or unknown one."""
    if not name or len(name) > 64 or name not in _known_names():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@cache
def _known_names() -> frozenset[str]:
    # A name is looked up in this set before ZoneInfo opens a file named after it.
    return frozenset(all_zones())


def default_zone() -> ZoneInfo:
    return zone_named(current_app.config.get("LMS_DEFAULT_TIME_ZONE")) or ZoneInfo("UTC")


def viewer_zone() -> ZoneInfo:
    """The zone of the person viewing this request, worked out once per request."""
    if not has_request_context():
        return default_zone()
    if "lms_viewer_zone" not in g:
        from lms.auth import current_learner

        chosen = getattr(current_learner, "time_zone", None) if current_learner else None
        g.lms_viewer_zone = (
            zone_named(chosen) or zone_named(request.cookies.get(ZONE_COOKIE)) or default_zone()
        )
    return g.lms_viewer_zone


def as_utc(moment: datetime) -> datetime:
    """A stored (naive UTC) or aware datetime as an aware UTC one."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def in_zone(moment: datetime, zone: ZoneInfo) -> datetime:
    return as_utc(moment).astimezone(zone)


def zone_abbreviation(local: datetime) -> str:
    """ "EST", "CEST"; zones without a letter abbreviation give "UTC+04" rather than "+04"."""
    name = local.tzname() or ""
    return f"UTC{name}" if name[:1] in "+-" else name


def spelled_date(day: date) -> str:
    """ "3 March 2027": never mistaken for 3/27 or 27/3."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def local_text(moment: datetime, zone: ZoneInfo, *, with_date: bool = True) -> str:
    """ "3 March 2027, 14:05 CET" (or "14:05 CET" without the date)."""
    local = in_zone(moment, zone)
    clock = f"{local:%H:%M} {zone_abbreviation(local)}"
    return f"{spelled_date(local.date())}, {clock}" if with_date else clock


def utc_stamp(moment: datetime) -> str:
    """The machine-readable instant: "2027-03-03T13:05:00Z"."""
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


#: The <time> element, plain or marked for quiz.js, which rewrites a marked one in the
#: device's zone while the page is open ("" for day and time, "time" for the time of day), as
#: its autosave messages are.
_TIME_ELEMENTS = {
    None: Markup('<time datetime="{}">{}</time>'),
    "": Markup('<time datetime="{}" data-local-time>{}</time>'),
    "time": Markup('<time datetime="{}" data-local-time="time">{}</time>'),
}


def _time_element(moment: datetime, text: str, local_js: str | None) -> Markup:
    return _TIME_ELEMENTS[local_js].format(utc_stamp(moment), text)


def lms_datetime(
    moment: datetime | None, zone_name: str | None = None, local_js: str | None = None
) -> Markup:
    """Template filter: ``{{ t | lms_datetime }}`` in the viewer's zone, or
    ``{{ t | lms_datetime(event.time_zone) }}`` in a named zone (the viewer's if it is unknown)."""
    if moment is None:
        return Markup("")
    zone = zone_named(zone_name) or viewer_zone()
    return _time_element(moment, local_text(moment, zone), local_js)


def lms_time(
    moment: datetime | None, zone_name: str | None = None, local_js: str | None = None
) -> Markup:
    """Template filter: only the time of day and zone ("14:05 CET"), for an end on the same day."""
    if moment is None:
        return Markup("")
    zone = zone_named(zone_name) or viewer_zone()
    return _time_element(moment, local_text(moment, zone, with_date=False), local_js)


def lms_date(moment: datetime | date | None) -> Markup:
    """Template filter: the viewer's calendar day of a datetime ("3 March 2027"); a plain
    ``date`` is written out as it is (it has no zone)."""
    if moment is None:
        return Markup("")
    if isinstance(moment, datetime):
        local = in_zone(moment, viewer_zone())
        return Markup('<time datetime="{}">{}</time>').format(
            utc_stamp(moment), spelled_date(local.date())
        )
    return Markup('<time datetime="{}">{}</time>').format(moment.isoformat(), spelled_date(moment))


def same_local_day(first: datetime, second: datetime, zone_name: str | None = None) -> bool:
    """Whether two instants fall on the same calendar day where they are shown."""
    zone = zone_named(zone_name) or viewer_zone()
    return in_zone(first, zone).date() == in_zone(second, zone).date()


def viewer_local_text(moment: datetime) -> str:
    """Plain text (for flash messages and e-mails written during a request) in the viewer's zone."""
    return local_text(moment, viewer_zone())
