"""Notifications in a real Chromium: the header's unread badge, the Notifications page
(newest first, unread marked by a bar and the word "New"), mark read, mark all read, a
notification's own page and the e-mail preferences; axe-core clean, no sideways scrolling at
390 px, screenshots named notifications-*."""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

from playwright.sync_api import expect  # noqa: E402

from tests.browser.conftest import DESKTOP, sign_in  # noqa: E402


def _notify(app, user_id: int, clock) -> None:
    from lms.db import session
    from lms.notifications import kinds
    from lms.notifications.operations import notify

    with app.app_context():
        for n, (kind, title, body) in enumerate(
            [
                (
                    kinds.CLAIM_DECIDED,
                    "Claim not approved: Mould remediation seminar",
                    "Your claim for Mould remediation seminar (Trade show) was not approved."
                    "\n\nThe reviewer's note:\nThe attendance sheet is not legible.",
                ),
                (
                    kinds.EVENT_REMINDER,
                    "Tomorrow: Structural drying workshop",
                    "Structural drying workshop starts tomorrow, 3 March 2026, 09:00 UTC, "
                    "at Hall 2.",
                ),
                (
                    kinds.INSTRUCTOR_ANSWER,
                    "Dana Trainer answered your question on Hot Water Extraction Fundamentals",
                    "Dana Trainer answered your question:\n\nUse a thermo-hygrometer.",
                ),
            ]
        ):
            clock.advance(minutes=5)
            notify(
                session(),
                user_id=user_id,
                kind=kind,
                subject_key=f"browser:{n}",
                title=title,
                body=body,
                endpoint="lms.catalogue.index",
                now=clock(),
            )
        session().commit()


def test_a_learner_reads_notifications_and_turns_an_email_off(
    app, clock, create_user, journey, problems
):
    user = create_user(name="Nora Learner")
    _notify(app, user.id, clock)
    tab = journey("notifications", viewport=DESKTOP)
    page = tab.page
    sign_in(tab, user.email, user.plain_password)

    menu = page.get_by_role("navigation", name="Main")
    link = menu.get_by_role("link", name="Notifications 3 unread")
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_role("heading", name="Notifications", exact=True)).to_be_visible()
    items = page.locator("li.notification")
    expect(items).to_have_count(3)
    expect(items.first).to_contain_text("Dana Trainer answered")  # newest first
    expect(page.locator("li.notification-unread")).to_have_count(3)
    tab.check("list")

    # Mark the newest read: its "New" goes, the badge counts one fewer.
    items.first.get_by_role("button", name="Mark read").click()
    expect(page.locator("li.notification-unread")).to_have_count(2)
    expect(menu.get_by_role("link", name="Notifications 2 unread")).to_be_visible()
    tab.check()

    # A notification's own page keeps the reviewer's note.
    page.get_by_role(
        "link", name="Claim not approved: Mould remediation seminar", exact=True
    ).click()
    expect(page.get_by_text("The attendance sheet is not legible.")).to_be_visible()
    tab.check("detail")
    page.get_by_role("button", name="Mark read").click()
    expect(menu.get_by_role("link", name="Notifications 1 unread")).to_be_visible()
    tab.check()

    page.get_by_role("link", name="Notifications", exact=True).first.click()
    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_text("Marked 1 notification read.")).to_be_visible()
    expect(page.locator("li.notification-unread")).to_have_count(0)
    expect(page.locator(".notify-count")).to_have_count(0)
    tab.check()

    # E-mail preferences: one kind off; the page says security e-mails always go.
    page.get_by_role("link", name="E-mail preferences").click()
    expect(page.get_by_text("password reset links, are always sent")).to_be_visible()
    tab.check("preferences")
    box = page.get_by_label("Event reminder")
    expect(box).to_be_checked()
    box.uncheck()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_text("Your e-mail preferences are saved.")).to_be_visible()
    expect(page.get_by_label("Event reminder")).not_to_be_checked()
    expect(page.get_by_label("Credit claim decided")).to_be_checked()
    tab.check()

    tab.finish()
    assert problems == []
