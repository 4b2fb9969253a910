"""A timed quiz on a phone in Chromium: the countdown, autosave, resume after the browser
closes, every question type answered with its own widget, and the auto-submit at zero.

Time in the page is Playwright's fake clock (``page.clock``), so nothing sleeps.
"""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

from playwright.sync_api import Page, expect  # noqa: E402

from tests.browser.conftest import PHONE, accessibility_violations, open_page  # noqa: E402
from tests.conftest import answer_key  # noqa: E402

TIMED = "category-and-class-of-water-intrusion"  # 20 minutes, a matching question
MIXED = "moisture-mapping-and-drying-documentation"  # short, numeric and ordering questions


def _sign_in_and_reach_the_quiz(page: Page, user, slug: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(user.plain_password)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/courses/{slug}")
    enrol = page.get_by_role("button", name="Enrol in this course")
    if enrol.count():
        enrol.click()
    page.goto(f"/courses/{slug}/continue")
    while "/modules/" in page.url:
        page.get_by_role("button", name="Mark as done and continue").click()
    expect(page).to_have_url(re.compile(rf"/courses/{slug}/quiz$"))


def _answer(page: Page, key: dict[str, list[str]]) -> None:
    """Answer with each widget as a person would: click, type, pick from a list."""
    for name, values in key.items():
        fields = page.locator(f'[name="{name}"]')
        tag = fields.first.evaluate("e => e.tagName + ':' + (e.type || '')")
        if tag in ("INPUT:radio", "INPUT:checkbox"):
            for value in values:
                page.locator(f'input[name="{name}"][value="{value}"]').check()
        elif tag == "INPUT:text":
            fields.first.fill(values[0])
        else:  # selects: one per matching item, or one per place in an ordering
            for index, value in enumerate(values):
                if ":" in value:  # matching: "<item>:<option>" picks the item's own select
                    item = value.split(":")[0]
                    select = page.locator(f'select[name="{name}"]:has(option[value="{item}:"])')
                    select.select_option(value)
                else:
                    fields.nth(index).select_option(value)


@pytest.mark.parametrize("slug", [TIMED, MIXED])
def test_a_quiz_on_a_phone_autosaves_resumes_and_passes(
    app, browser, live_server, problems, create_user, slug
):
    user = create_user()
    page = open_page(
        browser, live_server, problems, viewport=PHONE, is_mobile=True, bypass_csp=True
    )
    _sign_in_and_reach_the_quiz(page, user, slug)
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.get_by_role("button", name="Submit answers")).to_be_visible()
    a11y = accessibility_violations(page)

    key = answer_key(app, slug)
    first, *rest = list(key.items())
    form = page.locator("form.quiz")
    _answer(page, dict([first]))
    expect(form).to_have_attribute("data-save-state", "saved")
    expect(page.locator("#autosave-status")).to_contain_text("Answers saved")
    _answer(page, dict(rest))
    expect(form).to_have_attribute("data-save-state", "saved")
    page.context.close()  # the browser closes mid-quiz

    again = open_page(browser, live_server, problems, viewport=PHONE, is_mobile=True)
    _sign_in_and_reach_the_quiz(again, user, slug)
    for name, values in key.items():  # every answer is back, as saved
        text = again.locator(f'input[type=text][name="{name}"]')
        if text.count():
            expect(text).to_have_value(values[0])
            continue
        for value in values:
            box = again.locator(f'input[name="{name}"][value="{value}"]')
            if box.count():
                expect(box).to_be_checked()
            else:
                option = again.locator(f'select[name="{name}"] option[value="{value}"]:checked')
                expect(option).not_to_have_count(0)
    again.get_by_role("button", name="Submit answers").click()
    expect(again.get_by_role("heading", name="You passed")).to_be_visible()
    again.context.close()
    assert a11y == []
    assert problems == []


def test_the_countdown_runs_on_the_servers_figure_and_submits_at_zero(
    app, browser, live_server, problems, create_user
):
    user = create_user()
    page = open_page(browser, live_server, problems, viewport=PHONE, is_mobile=True)
    page.clock.install()
    _sign_in_and_reach_the_quiz(page, user, TIMED)
    page.get_by_role("button", name="Start the quiz").click()
    timer = page.locator("#quiz-timer-value")
    expect(timer).to_have_text("20:00")
    page.clock.fast_forward("15:30")
    expect(timer).to_have_text("4:30")
    expect(page.locator("#quiz-timer-alert")).to_have_text("5 minutes left.")
    page.clock.fast_forward("04:31")
    # At zero the page submits what is on it; the server grades it.
    expect(page.get_by_role("heading", name="Not passed yet")).to_be_visible()
    page.context.close()
    assert problems == []
