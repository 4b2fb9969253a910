"""The learner's path in a real headless Chromium (Debian's package), driven by Playwright.

The app is served for real by Werkzeug on a free local port, in a background thread, on the
same migrated database and injected clock as every other test. Without Chromium on PATH the
tests skip, unless LMS_REQUIRE_BROWSER=1 (as in CI), which turns the skip into a failure.
Nothing sleeps: Playwright's auto-waiting and ``expect`` do the waiting.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

from playwright.sync_api import Page, expect  # noqa: E402

from tests.browser.conftest import DESKTOP, PHONE, Journey  # noqa: E402
from tests.conftest import answer_key  # noqa: E402

SLUG = "hot-water-extraction-fundamentals"
TITLE = "Hot Water Extraction Fundamentals"
NAME = "Zoë Łukasiewicz-Núñez"
CCT = "Carpet Cleaning Technician (CCT)"


def test_learner_signs_up_learns_passes_and_verifies_the_certificate_in_a_browser(
    app, clock, journey, problems
):
    learner = journey("learner", viewport=DESKTOP)
    page = learner.page
    # Sign up through the form.
    page.goto("/")
    expect(page.get_by_role("heading", name="Online courses")).to_be_visible()
    learner.check("catalogue")
    page.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    learner.check("sign-up")
    page.get_by_label("Full name").fill(NAME)
    page.get_by_label("E-mail").fill("zoe@example.org")
    page.get_by_label("Password", exact=True).fill("a long pass phrase")
    page.get_by_label("Repeat password").fill("a long pass phrase")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Welcome! Your account is ready.")).to_be_visible()
    expect(page.locator("details.account-menu summary")).to_contain_text(NAME)
    learner.check()

    # A new learner's dashboard says what to do next, and takes a certification.
    menu = page.get_by_role("navigation", name="Main")
    menu.get_by_role("link", name="My learning").click()
    expect(page.get_by_text("You are not enrolled in any course yet.")).to_be_visible()
    expect(page.locator(".total")).to_contain_text("0 CEC")
    learner.check("dashboard-empty")
    menu.get_by_role("link", name="My certifications").click()
    expect(page.get_by_text("You have not added a certification yet.")).to_be_visible()
    learner.check("certifications-empty")
    page.get_by_label("Certification", exact=True).select_option(label=CCT)
    page.get_by_label("Certification number").fill("CCT-77120")
    certified_on = clock().date() - timedelta(days=180)
    page.get_by_label("Date certified").fill(certified_on.isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="CCT-77120")).to_be_visible()
    learner.check("certifications")
    page.goto("/my/compliance")
    expect(page.locator("section.requirement")).to_have_count(2)  # CCT's, and the pooled one
    requirement = page.get_by_role("region", name=re.compile(r"^Carpet Cleaning Technician"))
    expect(requirement.locator("progress")).to_have_attribute("value", "0")
    expect(requirement).to_contain_text("0 of 2 CEC")
    learner.check("requirements-before")

    # The catalogue, the course, enrolment.
    menu.get_by_role("link", name="Courses").click()
    expect(page.get_by_role("heading", name="Online courses")).to_be_visible()
    learner.check()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    learner.check("course")
    page.get_by_role("button", name="Enrol in this course").click()

    # Every module in order, then the quiz page; the progress bar follows.
    expect(page).to_have_url(re.compile(rf"/courses/{SLUG}/modules/1$"))
    crumbs = page.locator(".crumbs")
    expect(crumbs).to_contain_text(re.compile(r"Module 1 of \d+"))
    total = int(re.search(r"Module 1 of (\d+)", crumbs.inner_text()).group(1))
    assert total >= 2
    progress = page.get_by_role("progressbar", name="Course progress")
    for position in range(1, total + 1):
        expect(page).to_have_url(re.compile(rf"/courses/{SLUG}/modules/{position}$"))
        expect(crumbs).to_contain_text(f"Module {position} of {total}")
        expect(progress).to_have_attribute("value", str(position - 1))
        expect(progress).to_have_attribute("max", str(total))
        learner.check("module" if position == 1 else None)
        page.get_by_role("button", name="Mark as done and continue").click()
    expect(page).to_have_url(re.compile(rf"/courses/{SLUG}/quiz$"))
    learner.check("quiz-start")

    # The quiz: every question answered correctly, by checking its inputs.
    page.get_by_role("button", name="Start the quiz").click()
    submit = page.get_by_role("button", name="Submit answers")
    expect(submit).to_be_visible()
    learner.check("quiz-open")
    key = answer_key(app, SLUG)
    expect(page.locator("fieldset.question")).to_have_count(len(key))
    for name, choice_ids in key.items():
        for choice_id in choice_ids:
            box = page.locator(f'input[name="{name}"][value="{choice_id}"]')
            box.check()
            expect(box).to_be_checked()
    submit.click()
    expect(page.get_by_role("heading", name="You passed")).to_be_visible()
    expect(page.locator(".result.pass")).to_contain_text("100")
    learner.check("result")

    # The certificate, on screen and printed.
    page.get_by_role("link", name="View your certificate").click()
    expect(page.get_by_role("heading", name="Certificate of completion")).to_be_visible()
    expect(page.locator(".certificate-sheet")).to_contain_text(NAME)
    expect(page.locator(".certificate-sheet")).to_contain_text(TITLE)
    expect(page.locator(".certificate-sheet")).to_contain_text("CCT-77120")
    learner.check("certificate")
    certificate_url = page.url
    public_link = page.locator('main a[href^="http"][href*="/verify/"]')
    absolute_url = public_link.first.get_attribute("href")
    _printed(learner, "certificate")

    # The course page, the dashboard, the requirement met by half, the transcript.
    page.goto(f"/courses/{SLUG}")
    # Complete: every module and the quiz shown done in the outline (no "N of M" bar).
    expect(page.get_by_text("You completed this course")).to_be_visible()
    expect(page.locator(".outline li.state-done")).to_have_count(total + 1)
    learner.check("course-done")
    menu.get_by_role("link", name="My learning").click()
    expect(page.locator(".total")).to_contain_text("1 CEC")
    completed = page.locator(".certificate-item").filter(has_text=TITLE)
    expect(completed).to_contain_text("Completed")
    expect(completed.get_by_role("link", name=re.compile("^View certificate"))).to_be_visible()
    learner.check("dashboard")
    page.goto("/my/compliance")
    expect(requirement.locator("progress")).to_have_attribute("value", "1")
    expect(requirement).to_contain_text("1 of 2 CEC")
    learner.check("requirements-after")
    page.goto("/my/transcript")
    expect(page.get_by_role("heading", name="My transcript")).to_be_visible()
    expect(page.locator("table.report tbody tr")).to_have_count(1)
    learner.check("transcript")
    _printed(learner, "transcript")

    # The public verification page, reached from the certificate.
    page.goto(certificate_url)
    learner.check()
    page.get_by_role("link", name="Public verification page").click()
    expect(page.get_by_role("heading", name="Valid certificate")).to_be_visible()
    expect(page.locator(".checks li.fail")).to_have_count(0)
    assert page.url == absolute_url  # the link printed on the PDF leads to this very page
    learner.check()

    # Anyone can verify it: a fresh browser context, signed out, on a phone.
    stranger = journey("stranger", viewport=PHONE, is_mobile=True, has_touch=True)
    stranger.page.goto(absolute_url)
    expect(stranger.page.get_by_role("heading", name="Valid certificate")).to_be_visible()
    expect(stranger.page.get_by_role("link", name="Sign in")).to_be_visible()
    stranger.check("verify")
    _assert_no_horizontal_scroll(stranger.page)

    learner.finish()
    stranger.finish()
    assert problems == []


def _printed(tab: Journey, shot: str) -> None:
    """The page as printed: no site menu, buttons or forms; the facts themselves stay."""
    page = tab.page
    page.emulate_media(media="print")
    try:
        expect(page.locator("header.site")).to_be_hidden()
        expect(page.locator("footer.site")).to_be_hidden()
        for button in page.locator("main button, main .button").all():
            expect(button).to_be_hidden()
        expect(page.locator("main h1")).to_be_visible()
        tab.print_screenshot(shot)
    finally:
        page.emulate_media(media="screen")


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
