"""Defects found by using the demo in Chromium as each kind of user, that only a browser shows:
how a control looks. Screenshots are named ``found-*``."""

from __future__ import annotations

from collections.abc import Callable

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

from flask import Flask  # noqa: E402

from tests.browser.conftest import DESKTOP, PHONE, Journey, sign_in  # noqa: E402
from tests.conftest import signed_in  # noqa: E402
from tests.test_events import create_event  # noqa: E402

LOOK = """b => { const s = getComputedStyle(b);
  return {background: s.backgroundColor, colour: s.color, cursor: s.cursor}; }"""


def test_confirm_the_roster_does_not_look_clickable_before_the_event(
    app: Flask, live_server: str, journey: Callable[..., Journey]
) -> None:
    # Issue 14, defect 10: the disabled button looked exactly like the enabled ones.
    trainer_web = signed_in(app, "trainer@example.com", "trainer-demo-pass")
    event_id = create_event(trainer_web, starts_at="2026-03-10T14:00", ends_at="2026-03-10T18:00")
    trainer = journey("found-roster", viewport=DESKTOP)
    page = trainer.page
    sign_in(trainer, "trainer@example.com", "trainer-demo-pass")
    page.goto(f"/studio/events/{event_id}")
    trainer.check("roster-before-the-event")

    waiting = page.get_by_role("button", name="Confirm the roster and credit attendees")
    assert waiting.is_disabled()
    # The same button, enabled: a copy without the attribute, beside it for a moment.
    primary_look = waiting.evaluate(
        "b => { const c = b.cloneNode(true); c.disabled = false; b.after(c);"
        " const s = getComputedStyle(c);"
        " const look = {background: s.backgroundColor, colour: s.color, cursor: s.cursor};"
        " c.remove(); return look; }"
    )
    disabled_look = waiting.evaluate(LOOK)
    assert disabled_look["cursor"] == "not-allowed"
    assert disabled_look["background"] != primary_look["background"]
    assert disabled_look["colour"] != primary_look["colour"]
    trainer.finish()


def test_menu_links_and_lone_links_in_table_cards_are_44px_tap_targets_on_a_phone(
    app: Flask, live_server: str, journey: Callable[..., Journey]
) -> None:
    admin = journey("found-tap-targets", viewport=PHONE, is_mobile=True, has_touch=True)
    page = admin.page
    sign_in(admin, "admin@example.com", "admin-demo-pass")
    page.goto("/admin/users")  # each person is a card with a lone "Credit log" link
    admin.check("people-on-a-phone")
    heights = page.evaluate(
        """() => [...document.querySelectorAll(
              'header.site nav a, .table-wrap td > a:only-child')]
            .filter(a => a.getBoundingClientRect().height > 0)
            .map(a => [a.innerText.trim(), a.getBoundingClientRect().height])"""
    )
    assert any(text.startswith("Credit log") for text, _ in heights)
    small = [(text, height) for text, height in heights if height < 44]
    assert small == [], small
    admin.finish()


def test_a_date_alone_in_a_table_column_does_not_break_at_its_hyphens(
    certificates: None, journey: Callable[..., Journey]
) -> None:
    graduate = journey("found-dates", viewport=DESKTOP)
    page = graduate.page
    sign_in(graduate, "graduate@example.com", "graduate-demo-pass")
    page.goto("/dashboard")
    graduate.check("recent-credit")
    cells = page.locator('td[data-label="Date"]')
    assert cells.count() >= 3
    for n in range(cells.count()):
        box = cells.nth(n).evaluate(
            "td => { const r = document.createRange(); r.selectNodeContents(td);"
            " return [td.innerText, r.getClientRects().length]; }"
        )
        assert box[1] == 1, f"{box[0]!r} is broken over {box[1]} lines"
    graduate.finish()
