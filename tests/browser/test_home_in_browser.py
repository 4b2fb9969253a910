"""The learner's home, the catalogue and the course player in Chromium, at phone and desktop
widths: axe-core finds nothing serious or critical, nothing scrolls sideways at 390 px, the
account menu works with the keyboard alone, and screenshots named dashboard-*, catalogue-*
and player-* are saved for a person to look at."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

from playwright.sync_api import expect  # noqa: E402

from tests.browser.conftest import DESKTOP, PHONE, Journey, screenshots, sign_in  # noqa: E402


def _shoot(tab: Journey, name: str) -> None:
    """axe-core on the page, then its phone and desktop screenshots (no sideways scroll)."""
    tab.check()
    tab.findings += screenshots(tab.page, name)


def test_catalogue_player_and_dashboard_look_right_at_both_widths(journey, problems):
    learner = journey("home", viewport=DESKTOP)
    page = learner.page
    sign_in(learner, "learner@example.com", "learner-demo-pass")

    # The catalogue: cards with pictures, a search and filters that keep what was typed.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Courses").click()
    expect(page.get_by_role("heading", name="Online courses")).to_be_visible()
    expect(page.locator(".course-card")).to_have_count(3)
    _shoot(learner, "catalogue")
    page.get_by_label("Search courses").fill("extraction")
    page.get_by_label("Credits up to").fill("1")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".result-count")).to_have_text(re.compile("1 course matches"))
    expect(page.get_by_label("Search courses")).to_have_value("extraction")
    _shoot(learner, "catalogue-search")

    # The course page, then the player: enrol, read the first module, move on.
    # Each click that loads a page: wait for that page before checking it.
    page.get_by_role("link", name="Hot Water Extraction Fundamentals").click()
    expect(page).to_have_url(re.compile(r"/courses/hot-water-extraction-fundamentals$"))
    learner.check()
    page.get_by_role("button", name="Enrol in this course").click()
    expect(page).to_have_url(re.compile(r"/modules/1$"))
    learner.check()
    outline = page.get_by_role("navigation", name="Course outline")
    expect(outline.locator("li.state-current")).to_have_count(1)
    page.get_by_role("button", name=re.compile("Mark as done and continue")).click()
    expect(page).to_have_url(re.compile(r"/modules/2$"))
    learner.check()
    expect(outline.locator("li.state-done")).to_have_count(1)
    expect(outline.locator('a[aria-current="page"]')).to_have_text(
        "Pre-spray chemistry: pH, dwell time, and agitation"
    )
    expect(page.get_by_role("link", name=re.compile("Previous"))).to_be_visible()
    _shoot(learner, "player-module")
    # On a phone the outline is stacked above the module, not beside it.
    page.set_viewport_size(PHONE)
    outline_box, module_box = outline.bounding_box(), page.locator("article.module").bounding_box()
    assert (
        outline_box and module_box and outline_box["y"] + outline_box["height"] <= module_box["y"]
    )
    page.set_viewport_size(DESKTOP)
    outline_box, module_box = outline.bounding_box(), page.locator("article.module").bounding_box()
    assert outline_box and module_box and outline_box["x"] + outline_box["width"] <= module_box["x"]

    page.get_by_role("link", name="Hot Water Extraction Fundamentals").first.click()
    expect(page.get_by_text("You left off at")).to_contain_text("Pre-spray chemistry")
    _shoot(learner, "player-course")

    # The dashboard: the next step first (the course in progress), then progress.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My learning").click()
    next_step = page.get_by_role("region", name="Your next step")
    expect(next_step.get_by_role("link", name=re.compile("^Continue Hot Water"))).to_be_visible()
    expect(page.locator(".progress-item")).to_contain_text("1 of 3 modules done")
    _shoot(learner, "dashboard-in-progress")
    next_step.get_by_role("link", name=re.compile("^Continue")).click()
    expect(page).to_have_url(re.compile(r"/modules/2$"))
    learner.check()
    expect(page.locator("article.module h1")).to_have_text(
        "Pre-spray chemistry: pH, dwell time, and agitation"
    )
    learner.finish()
    assert problems == []


def test_the_graduates_dashboard_leads_with_the_next_requirement(journey, certificates, problems):
    graduate = journey("graduate", viewport=DESKTOP)
    page = graduate.page
    sign_in(graduate, "graduate@example.com", "graduate-demo-pass")
    next_step = page.get_by_role("region", name="Your next step")
    expect(next_step).to_contain_text("still needed")
    expect(page.get_by_role("link", name=re.compile("^View certificate")).first).to_be_visible()
    expect(page.locator(".standing-card")).not_to_have_count(0)
    _shoot(graduate, "dashboard-graduate")
    graduate.finish()
    assert problems == []


def test_the_account_menu_works_with_the_keyboard_alone(journey, problems):
    learner = journey("account-menu", viewport=PHONE, is_mobile=True, has_touch=True)
    page = learner.page
    sign_in(learner, "learner@example.com", "learner-demo-pass")
    page.goto("/dashboard")
    learner.check()
    summary = page.locator("details.account-menu summary")
    menu = page.locator("details.account-menu .menu")
    expect(menu).to_be_hidden()
    # Tab until the menu's summary has the focus, as a keyboard user would.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.matches('details.account-menu summary')"):
            break
    else:
        raise AssertionError("the account menu never took the keyboard's focus")
    page.keyboard.press("Enter")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("link", name="Password")).to_be_visible()
    _shoot(learner, "dashboard-account-menu")
    page.keyboard.press("Tab")
    expect(menu.get_by_role("link", name="Profile and time zone")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/my/settings$"))
    learner.check()
    # Open it again and sign out with the keyboard.
    summary.focus()
    page.keyboard.press("Space")
    menu.get_by_role("button", name="Sign out").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    learner.check()
    learner.finish()
    assert problems == []


def test_a_new_learner_dashboard_at_phone_width(journey, problems):
    learner = journey("new-learner", viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(learner, "learner@example.com", "learner-demo-pass")
    learner.page.goto("/dashboard")
    expect(learner.page.get_by_role("link", name="Add your certifications").first).to_be_visible()
    _shoot(learner, "dashboard-new-learner")
    learner.finish()
    assert problems == []


def test_a_trainer_sets_a_courses_picture(journey, problems, tmp_path):
    trainer = journey("card-editor", viewport=DESKTOP)
    page = trainer.page
    sign_in(trainer, "trainer@example.com", "trainer-demo-pass")
    page.goto("/studio/courses/hot-water-extraction-fundamentals")
    trainer.check()
    page.get_by_role("link", name="Catalogue card: picture and study time").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Catalogue card")
    trainer.check()
    picture = tmp_path / "van.png"
    # A 1x1 PNG: the server checks the bytes, not only the name.
    picture.write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e226059b0000000049454e44ae426082"
        )
    )
    page.get_by_label("Picture").set_input_files(str(picture))
    page.get_by_label("Expected study time, in minutes").fill("90")
    page.get_by_role("button", name="Save the card").click()
    expect(page.get_by_text("The course's card is saved.")).to_be_visible()
    trainer.check()
    expect(page.locator(".card-preview img")).to_be_visible()
    _shoot(trainer, "catalogue-card-editor")
    page.goto("/")
    expect(page.locator(".course-card img")).to_have_count(1)
    expect(page.locator(".course-card").filter(has_text="Hot Water")).to_contain_text("1 h 30 min")
    trainer.check()
    trainer.finish()
    assert problems == []
