"""Times in the viewer's zone: the conversion (across daylight-saving changes), the
``lms_datetime`` / ``lms_date`` filters, the settings page, the zone the browser reports, and
that no template prints a raw UTC time any more."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from lms.accounts.models import User
from lms.times import (
    ZONE_COOKIE,
    lms_date,
    lms_datetime,
    local_text,
    spelled_date,
    zone_named,
)
from tests.conftest import Web, signed_in

NEW_YORK = ZoneInfo("America/New_York")
TEMPLATES = Path(__file__).parent.parent / "lms" / "templates"


# The conversion --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("utc", "zone", "shown"),
    [
        # New York springs forward at 02:00 EST (07:00 UTC) on 14 March 2027.
        (datetime(2027, 3, 14, 6, 59), "America/New_York", "14 March 2027, 01:59 EST"),
        (datetime(2027, 3, 14, 7, 0), "America/New_York", "14 March 2027, 03:00 EDT"),
        # ... and falls back at 02:00 EDT (06:00 UTC) on 7 November 2027: 01:30 happens twice.
        (datetime(2027, 11, 7, 5, 30), "America/New_York", "7 November 2027, 01:30 EDT"),
        (datetime(2027, 11, 7, 6, 30), "America/New_York", "7 November 2027, 01:30 EST"),
        # London: 01:00 UTC on 28 March 2027 is 02:00 BST; the day before it was GMT.
        (datetime(2027, 3, 28, 1, 0), "Europe/London", "28 March 2027, 02:00 BST"),
        (datetime(2027, 3, 27, 1, 0), "Europe/London", "27 March 2027, 01:00 GMT"),
        # Sydney's summer is in January; a UTC evening is the next morning there.
        (datetime(2027, 1, 10, 22, 0), "Australia/Sydney", "11 January 2027, 09:00 AEDT"),
        # A zone without a letter abbreviation says its offset from UTC.
        (datetime(2027, 6, 1, 12, 0), "Asia/Dubai", "1 June 2027, 16:00 UTC+04"),
        (datetime(2027, 6, 1, 12, 0), "UTC", "1 June 2027, 12:00 UTC"),
    ],
)
def test_a_utc_time_is_shown_in_the_zone_with_its_abbreviation(
    utc: datetime, zone: str, shown: str
) -> None:
    assert local_text(utc, ZoneInfo(zone)) == shown


def test_unknown_or_hostile_zone_names_are_refused() -> None:
    assert zone_named("Europe/Paris") == ZoneInfo("Europe/Paris")
    for name in ("", None, "Mars/Olympus", "../../etc/passwd", "Europe/Paris\x00", "x" * 100):
        assert zone_named(name) is None


def test_the_filters_wrap_the_time_in_a_machine_readable_utc_instant(app: Flask) -> None:
    moment = datetime(2027, 3, 14, 7, 30)
    with app.test_request_context("/", headers={"Cookie": f"{ZONE_COOKIE}=America/New_York"}):
        assert str(lms_datetime(moment)) == (
            '<time datetime="2027-03-14T07:30:00Z">14 March 2027, 03:30 EDT</time>'
        )
        # A named zone (an event's own) wins over the viewer's.
        assert "08:30 CET" in str(lms_datetime(moment, "Europe/Paris"))
        # Late evening in New York is the next day in UTC: the viewer's day is shown.
        assert "13 March 2027" in str(lms_date(datetime(2027, 3, 14, 3, 0)))
        # A calendar date has no zone: it is written out as it is.
        assert str(lms_date(date(2027, 3, 3))) == '<time datetime="2027-03-03">3 March 2027</time>'
        assert lms_datetime(None) == ""
        # Marked for quiz.js, which rewrites it in the device's zone while the page is open.
        assert str(lms_datetime(moment, local_js="")).startswith(
            '<time datetime="2027-03-14T07:30:00Z" data-local-time>'
        )


def test_a_hostile_title_cannot_get_through_the_filter(app: Flask) -> None:
    with app.test_request_context("/", headers={"Cookie": f"{ZONE_COOKIE}=<script>"}):
        shown = str(lms_datetime(datetime(2027, 1, 1, 12, 0)))
    assert "<script>" not in shown and "12:00 UTC" in shown  # unknown zone: the default


def test_spelled_dates_cannot_be_misread() -> None:
    assert spelled_date(date(2027, 3, 4)) == "4 March 2027"


# The setting ------------------------------------------------------------------------------


def zone_of(app: Flask, email: str) -> str | None:
    with app.app_context():
        db = app.extensions["lms"].db.session
        return db.scalar(select(User.time_zone).where(User.email == email))


@pytest.fixture
def person(app: Flask, create_user: Callable[..., Any]) -> tuple[Any, Web]:
    user = create_user()
    return user, signed_in(app, user.email, user.plain_password)


def test_the_settings_page_offers_common_zones_then_all(person: tuple[Any, Web]) -> None:
    _user, web = person
    page = web.get("/my/settings").get_data(as_text=True)
    assert '<optgroup label="Common time zones">' in page
    assert '<optgroup label="All time zones">' in page
    assert 'value="America/Chicago"' in page and 'value="Asia/Kathmandu"' in page
    assert '<option selected value="UTC">' in page  # nothing chosen, no browser report: the default
    assert 'href="/my/settings"' in page  # reachable from the menu


def test_choosing_a_zone_shows_every_time_in_it(app: Flask, person: tuple[Any, Web]) -> None:
    user, web = person
    response = web.submit("/my/settings", {"time_zone": "America/Chicago"})
    assert response.status_code == 302
    assert zone_of(app, user.email) == "America/Chicago"
    page = web.get("/my/settings").get_data(as_text=True)
    assert "times are now shown in America/Chicago" in page
    assert '<option selected value="America/Chicago">' in page


def test_an_unknown_zone_is_refused_with_a_message(app: Flask, person: tuple[Any, Web]) -> None:
    user, web = person
    response = web.submit("/my/settings", {"time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    assert "not a time zone we know" in response.get_data(as_text=True)
    assert zone_of(app, user.email) is None


def test_the_browser_zone_is_adopted_once_and_never_over_a_choice(
    app: Flask, person: tuple[Any, Web]
) -> None:
    user, web = person
    page = web.get("/dashboard").get_data(as_text=True)
    assert 'data-save-zone="/my/settings/browser-time-zone"' in page
    assert '<script src="/_static/time_zone.js" defer></script>' in page
    first = web.submit(
        "/dashboard", {"time_zone": "Europe/Berlin"}, "/my/settings/browser-time-zone"
    )
    assert first.status_code == 204
    assert zone_of(app, user.email) == "Europe/Berlin"
    # Stored: the pages stop asking, and a later report (another computer) changes nothing.
    assert "data-save-zone" not in web.get("/dashboard").get_data(as_text=True)
    token = web.token("/my/settings")
    again = web.client.post(
        "/my/settings/browser-time-zone", data={"csrf_token": token, "time_zone": "Asia/Tokyo"}
    )
    assert again.status_code == 409
    assert zone_of(app, user.email) == "Europe/Berlin"


def test_a_bogus_browser_zone_is_ignored(app: Flask, person: tuple[Any, Web]) -> None:
    user, web = person
    response = web.submit(
        "/dashboard", {"time_zone": "Nowhere/Else"}, "/my/settings/browser-time-zone"
    )
    assert response.status_code == 409
    assert zone_of(app, user.email) is None


def test_the_browser_report_needs_the_csrf_token(app: Flask, person: tuple[Any, Web]) -> None:
    user, web = person
    response = web.client.post("/my/settings/browser-time-zone", data={"time_zone": "Asia/Tokyo"})
    assert response.status_code == 400
    assert zone_of(app, user.email) is None


def test_the_zone_cookie_applies_until_the_account_has_one(
    app: Flask, person: tuple[Any, Web], trainer: Web, demo: None
) -> None:
    from tests.test_events import create_event

    event_id = create_event(trainer, starts_at="2026-07-01T14:00", ends_at="2026-07-01T18:00")
    _user, web = person
    web.client.set_cookie(ZONE_COOKIE, "America/Los_Angeles")
    assert "1 July 2026, 07:00 PDT" in web.get(f"/events/{event_id}").get_data(as_text=True)
    web.submit("/my/settings", {"time_zone": "Europe/Berlin"})
    assert "1 July 2026, 16:00 CEST" in web.get(f"/events/{event_id}").get_data(as_text=True)


# The sweep --------------------------------------------------------------------------------

#: What prints a stored UTC time as it is: strftime with hours or minutes, a datetime's UTC
#: date, "UTC" written after a value or in a heading.
RAW_UTC = [
    re.compile(r"strftime\([^)]*%[HMI]"),
    re.compile(r"_at\.(strftime|isoformat)\("),
    re.compile(r"\.date\(\)\.isoformat\(\)"),
    re.compile(r"\}\}\s*UTC\b"),
    re.compile(r"\(UTC\)"),
]


def test_no_template_prints_a_raw_utc_time() -> None:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(pattern.search(line) for pattern in RAW_UTC):
                found.append(f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()[:120]}")
    assert found == []
