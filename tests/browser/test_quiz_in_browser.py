"""A timed quiz on a phone in Chromium: the countdown, autosave, resume after the browser
closes, every question type answered with its own widget, and the auto-submit at zero; and a
quiz started, answered and submitted with the keyboard alone, its focus visible at every stop.

Time in the page is Playwright's fake clock (``page.clock``), so nothing sleeps.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

from playwright.sync_api import Page, expect  # noqa: E402

from tests.browser.conftest import (  # noqa: E402
    DESKTOP,
    PHONE,
    accessibility_violations,
    open_page,
    screenshots,
)
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
    page = open_page(browser, live_server, problems, viewport=PHONE, is_mobile=True)
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
    assert screenshots(page, "quiz-timed-time-left") == []
    page.clock.fast_forward("04:31")
    # At zero the page submits what is on it; the server grades it.
    expect(page.get_by_role("heading", name="Not passed yet")).to_be_visible()
    page.context.close()
    assert problems == []


#: What has the focus, and whether it shows: an outline at least 2px wide.
FOCUSED = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  return {
    tag: e.tagName.toLowerCase(), type: e.type || "", name: e.name || "", value: e.value || "",
    text: (e.innerText || e.value || "").trim().slice(0, 60), checked: !!e.checked,
    first: e.options ? e.options[0].value : "", choices: e.options ? e.options.length : 0,
    visible: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
  };
}"""


class Keyboard:
    """Moves through a page with Tab only, recording every stop whose focus cannot be seen."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.unseen: list[str] = []
        self.stops = 0

    def focused(self) -> dict:
        return self.page.evaluate(FOCUSED)

    def tab(self) -> dict:
        self.page.keyboard.press("Tab")
        self.stops += 1
        now = self.focused()
        if not now["visible"]:
            self.unseen.append(f"{now['tag']} {now['name'] or now['text']}")
        return now

    def tab_to_button(self, name: str, limit: int = 60) -> None:
        for _ in range(limit):
            now = self.tab()
            if now["tag"] == "button" and now["text"] == name:
                return
        raise AssertionError(f"no button {name!r} within {limit} tab stops")

    def press_until(self, key: str, done: Callable[[dict], bool], limit: int = 12) -> None:
        for _ in range(limit):
            if done(self.focused()):
                return
            self.page.keyboard.press(key)
        assert done(self.focused()), f"{key} never reached the answer"


def test_a_quiz_can_be_completed_with_the_keyboard_alone(
    app, browser, live_server, problems, create_user
):
    """Tab, arrows, space, typing and Enter: every question type of the quiz answered, the
    quiz started and submitted without the mouse, and the focus visible at every stop."""
    user = create_user()
    page = open_page(browser, live_server, problems, viewport=DESKTOP)
    _sign_in_and_reach_the_quiz(page, user, MIXED)
    keys = Keyboard(page)
    page.keyboard.press("Tab")  # the skip link comes first, and shows itself
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    expect(page.get_by_role("link", name="Skip to content")).to_be_in_viewport()
    keys.tab_to_button("Start the quiz")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Submit answers")).to_be_visible()

    key = answer_key(app, MIXED)
    places: dict[str, int] = {}  # the selects of an ordering question, by name: next place
    answered: set[str] = set()
    while True:
        now = keys.tab()
        if now["tag"] == "button" and now["text"] == "Submit answers":
            break
        wanted = key.get(now["name"])
        if wanted is None:
            continue
        answered.add(now["name"])
        if now["type"] == "radio":  # one tab stop per group; arrows move and select
            if now["value"] in wanted:
                page.keyboard.press("Space")
            keys.press_until("ArrowDown", lambda f, w=wanted: f["value"] in w and f["checked"])
        elif now["type"] == "checkbox":
            if now["value"] in wanted:
                page.keyboard.press("Space")
        elif now["tag"] == "input":
            page.keyboard.type(wanted[0])
        elif now["tag"] == "select":
            place = places.get(now["name"], 0)
            places[now["name"]] = place + 1
            target = next((v for v in wanted if v.startswith(now["first"]) and ":" in v), None)
            target = target or wanted[place]
            page.keyboard.press("Home")
            keys.press_until("ArrowDown", lambda f, t=target: f["value"] == t, limit=now["choices"])
    assert answered == set(key), "some questions were never reached with Tab"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="You passed")).to_be_visible()
    expect(page.locator(".result.pass")).to_contain_text("Score: 100")
    assert keys.stops > len(key)
    assert keys.unseen == [], f"tab stops without a visible focus: {keys.unseen}"
    page.context.close()
    assert problems == []
