"""Events in a real Chromium: a learner in Chicago finds the trainer's workshop from the main
menu, sees its time in their own zone (the browser's, reported by time_zone.js), registers and
downloads the .ics file; once the workshop is full, the next learner is put on the waitlist and
told their place. axe-core checks every page; screenshots are named ``events-*``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

from flask import Flask  # noqa: E402
from playwright.sync_api import expect  # noqa: E402
from sqlalchemy import select  # noqa: E402

from tests.browser.conftest import DESKTOP, PHONE, Journey, sign_in  # noqa: E402

WORKSHOP = "Hands-on drying workshop"


@pytest.fixture
def workshop(app: Flask, live_server: str) -> int:
    """The demo trainer's workshop: three seats, one taken by the demo graduate."""
    from lms.demo import DEMO_EVENT_TITLE, seed_demo_events
    from lms.events.models import Event

    with app.app_context():
        seed_demo_events()
        db = app.extensions["lms"].db.session
        return db.scalar(select(Event.id).where(Event.title == DEMO_EVENT_TITLE))


def stored_zone(app: Flask, email: str) -> str | None:
    from lms.accounts.models import User

    with app.app_context():
        db = app.extensions["lms"].db.session
        return db.scalar(select(User.time_zone).where(User.email == email))


def test_a_learner_registers_downloads_the_ics_and_the_next_one_waits(
    app: Flask,
    workshop: int,
    journey: Callable[..., Journey],
    create_user: Callable[..., Any],
    problems: list[str],
) -> None:
    learner = journey(
        "events", viewport=DESKTOP, timezone_id="America/Chicago", accept_downloads=True
    )
    page = learner.page
    sign_in(learner, "learner@example.com", "learner-demo-pass")

    # The main menu leads to the events; the workshop's time is shown in Chicago's zone
    # (16 March 2026 is after the switch to daylight time: CDT).
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Events", exact=True
    ).click()
    expect(page.get_by_role("heading", name="Upcoming events")).to_be_visible()
    card = page.locator(".event-card", has_text=WORKSHOP)
    expect(card).to_contain_text("16 March 2026, 10:00 CDT")
    expect(card).to_contain_text("2 of 3 seats left")
    learner.check("list")
    card.get_by_role("link", name=WORKSHOP).click()
    expect(page.get_by_role("heading", name=WORKSHOP)).to_be_visible()
    # The viewer is in the event's own zone: its local time is not repeated.
    expect(page.get_by_text("Local time there:")).to_have_count(0)
    learner.check("event")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("You are registered.")).to_be_visible()
    learner.check("registered")

    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    ics = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename == f"event-{workshop}.ics"
    assert ics.startswith(b"BEGIN:VCALENDAR\r\n") and b"DTSTART:20260316T150000Z\r\n" in ics
    assert b"SUMMARY:Hands-on drying workshop\r\n" in ics
    # The browser's zone was stored on the account (once; the settings page shows it).
    assert stored_zone(app, "learner@example.com") == "America/Chicago"
    page.locator("details.account-menu summary").click()
    page.get_by_role("link", name="Profile and time zone").click()
    expect(page.get_by_label("Time zone")).to_have_value("America/Chicago")
    learner.check("settings")
    learner.finish()

    # The last seat goes to someone else; the next learner, on a phone, joins the waitlist.
    from lms.clock import now
    from lms.events.models import Event
    from lms.events.registration import register

    last = create_user(name="Sam Seat")
    with app.app_context():
        db = app.extensions["lms"].db.session
        register(db.get(Event, workshop), last.id, now())
    late = create_user(name="Wren Waitlist")
    waiting = journey("events-waitlist", viewport=PHONE, is_mobile=True, has_touch=True)
    phone = waiting.page
    sign_in(waiting, late.email, late.plain_password)
    phone.goto("/events")
    expect(phone.locator(".event-card", has_text=WORKSHOP)).to_contain_text(
        "Full: join the waitlist"
    )
    waiting.check("full")
    phone.get_by_role("link", name=WORKSHOP).click()
    expect(phone.get_by_text("All 3 seats are taken")).to_be_visible()
    waiting.check()
    phone.get_by_role("button", name="Join the waitlist").click()
    expect(phone.get_by_text("Waitlist: number 1.")).to_be_visible()
    waiting.check("waitlist")
    waiting.finish()

    # The trainer sees who holds a seat and who waits, in order.
    trainer = journey("events-trainer", viewport=DESKTOP)
    sign_in(trainer, "trainer@example.com", "trainer-demo-pass")
    trainer.page.goto(f"/studio/events/{workshop}")
    expect(trainer.page.get_by_role("heading", name="Registered (3 of 3 seats)")).to_be_visible()
    expect(trainer.page.get_by_role("heading", name="Waitlist (1)")).to_be_visible()
    expect(trainer.page.locator(".registration-list").last).to_contain_text(late.email)
    trainer.check("registrations")
    trainer.finish()
    assert problems == []
