"""The learner's path in a real headless Chromium (Debian's package), driven by Playwright.

The app is served for real by Werkzeug on a free local port, in a background thread, on the
same migrated database and injected clock as every other test. Without Chromium on PATH the
tests skip, unless LMS_REQUIRE_BROWSER=1 (as in CI), which turns the skip into a failure.
Nothing sleeps: Playwright's auto-waiting and ``expect`` do the waiting.
"""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

from playwright.sync_api import Page, expect  # noqa: E402

from tests.browser.conftest import PHONE, accessibility_violations, open_page  # noqa: E402
from tests.conftest import answer_key  # noqa: E402

SLUG = "hot-water-extraction-fundamentals"
TITLE = "Hot Water Extraction Fundamentals"
NAME = "Zoë Łukasiewicz-Núñez"


def test_learner_signs_up_learns_passes_and_verifies_the_certificate_in_a_browser(
    app, browser, live_server, page, problems
):
    a11y: list[str] = []
    # Sign up through the form.
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    a11y += accessibility_violations(page)
    page.get_by_label("Full name").fill(NAME)
    page.get_by_label("E-mail").fill("zoe@example.org")
    page.get_by_label("Password", exact=True).fill("a long pass phrase")
    page.get_by_label("Repeat password").fill("a long pass phrase")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Welcome! Your account is ready.")).to_be_visible()
    expect(page.get_by_role("button", name=f"Sign out ({NAME})")).to_be_visible()

    # The catalogue, the course, enrolment.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Courses").click()
    expect(page.get_by_role("heading", name="Online courses")).to_be_visible()
    a11y += accessibility_violations(page)
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    a11y += accessibility_violations(page)
    page.get_by_role("button", name="Enrol in this course").click()

    # Every module in order, then the quiz page.
    expect(page).to_have_url(re.compile(rf"/courses/{SLUG}/modules/1$"))
    crumbs = page.locator(".crumbs")
    a11y += accessibility_violations(page)
    expect(crumbs).to_contain_text(re.compile(r"Module 1 of \d+"))
    total = int(re.search(r"Module 1 of (\d+)", crumbs.inner_text()).group(1))
    assert total >= 2
    for position in range(1, total + 1):
        expect(page).to_have_url(re.compile(rf"/courses/{SLUG}/modules/{position}$"))
        expect(crumbs).to_contain_text(f"Module {position} of {total}")
        page.get_by_role("button", name="Mark as done and continue").click()
    expect(page).to_have_url(re.compile(rf"/courses/{SLUG}/quiz$"))

    # The quiz: every question answered correctly, by checking its inputs.
    page.get_by_role("button", name="Start the quiz").click()
    submit = page.get_by_role("button", name="Submit answers")
    expect(submit).to_be_visible()
    a11y += accessibility_violations(page)
    key = answer_key(app, SLUG)
    expect(page.locator("fieldset.question")).to_have_count(len(key))
    for name, choice_ids in key.items():
        for choice_id in choice_ids:
            box = page.locator(f'input[name="{name}"][value="{choice_id}"]')
            box.check()
            expect(box).to_be_checked()
    submit.click()
    expect(page.get_by_role("heading", name="You passed")).to_be_visible()
    a11y += accessibility_violations(page)
    expect(page.locator(".result.pass")).to_contain_text("100")

    # The certificate, then its public verification page.
    page.get_by_role("link", name="View your certificate").click()
    expect(page.get_by_role("heading", name="Certificate of completion")).to_be_visible()
    a11y += accessibility_violations(page)
    expect(page.locator(".facts-list")).to_contain_text(NAME)
    expect(page.locator(".facts-list")).to_contain_text(TITLE)
    # On a phone, the certificate and the dashboard with its credit log fit the width.
    page.set_viewport_size(PHONE)
    _assert_no_horizontal_scroll(page)
    certificate_url = page.url
    page.goto("/dashboard")
    expect(page.locator(".total")).to_contain_text("1 CEC")
    a11y += accessibility_violations(page)
    _assert_no_horizontal_scroll(page)
    page.goto(certificate_url)
    page.set_viewport_size({"width": 1280, "height": 800})
    public_link = page.locator('main a[href^="http"][href*="/verify/"]')
    absolute_url = public_link.get_attribute("href")
    page.get_by_role("link", name="Public verification page").click()
    expect(page.get_by_role("heading", name="Valid certificate")).to_be_visible()
    a11y += accessibility_violations(page)
    expect(page.locator(".checks li.fail")).to_have_count(0)
    assert page.url == absolute_url  # the link printed on the PDF leads to this very page

    # Anyone can verify it: a fresh browser context, signed out.
    stranger = open_page(browser, live_server, problems)
    stranger.goto(absolute_url)
    expect(stranger.get_by_role("heading", name="Valid certificate")).to_be_visible()
    expect(stranger.get_by_role("link", name="Sign in")).to_be_visible()
    stranger.context.close()

    assert a11y == []
    assert problems == []


def _assert_no_horizontal_scroll(page: Page) -> None:
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]",
    )
    # A mobile browser widens its layout viewport to fit content that overflows, so
    # innerWidth itself must still be the phone's width, not only at least scrollWidth.
    assert inner_width == PHONE["width"], f"{page.url} is laid out {inner_width}px wide"
    assert scroll_width <= inner_width, f"{page.url} scrolls sideways: {scroll_width}px"


def test_phone_layout_and_keyboard_sign_in(phone, problems):
    page = phone
    page.goto("/login")
    _assert_no_horizontal_scroll(page)

    # Sign in with the keyboard only.
    page.get_by_label("E-mail").focus()
    page.keyboard.type("learner@example.com")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type("learner-demo-pass")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", name="My learning")).to_be_visible()

    page.goto("/")
    expect(page.get_by_role("heading", name="Online courses")).to_be_visible()
    _assert_no_horizontal_scroll(page)

    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    _assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Enrol in this course").click()
    expect(page).to_have_url(re.compile(rf"/courses/{SLUG}/modules/1$"))
    expect(page.locator("article.module h1")).to_be_visible()
    _assert_no_horizontal_scroll(page)

    assert problems == []
