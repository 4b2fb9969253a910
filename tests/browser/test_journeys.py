"""The trainer's, the administrator's and the verifier's journeys in Debian's Chromium.

Each person is a ``Journey`` (see conftest.py): a browser context of their own, in which every
page they land on is checked by axe-core (no serious or critical WCAG 2.1 A/AA finding), the
key pages are photographed at phone and desktop widths, and at phone width nothing may
scroll sideways. The learner's journey is in test_learner_in_browser.py.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

from playwright.sync_api import Page, expect  # noqa: E402

from tests.browser.conftest import DESKTOP, PHONE, sign_in  # noqa: E402

TITLE = "Mould Awareness for Restorers"
SLUG = "mould-awareness-for-restorers"
APPROVAL = "WRT-2024-0042"


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def flash(page: Page, text: str | re.Pattern[str]) -> None:
    message = page.locator(".flash").filter(has_text=text)
    expect(message).to_be_visible()
    # Not by colour alone: each kind of message has its own symbol.
    marker = message.evaluate("e => getComputedStyle(e, '::before').content")
    assert marker not in ("none", "normal", '""'), f"{text!r} is told apart by colour only"


def test_trainer_creates_and_submits_a_course_admin_approves_trainer_publishes_and_reports(
    journey, clock, problems
):
    trainer = journey("trainer", viewport=DESKTOP)
    page = trainer.page
    sign_in(trainer, "trainer@example.com", "trainer-demo-pass")

    # The studio, then a new course.
    nav(page, "Studio")
    expect(page.get_by_role("heading", name="Studio", level=1)).to_be_visible()
    trainer.check("studio")
    page.get_by_role("link", name="Create a course").click()
    expect(page.get_by_role("heading", name="New course")).to_be_visible()
    trainer.check("new-course")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Summary").fill(
        "Recognising mould growth after a water loss, and when to stop."
    )
    page.get_by_label("Provider").fill("Northfield Restoration Academy")
    page.get_by_label("Credits claimed").fill("1")
    page.get_by_label(re.compile(r"^WRT: Water Damage Restoration Technician")).check()
    page.get_by_role("button", name="Create the draft").click()
    expect(page).to_have_url(re.compile(rf"/studio/courses/{SLUG}/v1/edit$"))
    flash(page, f"Created “{TITLE}” as a draft")
    expect(page.get_by_text("No modules yet.")).to_be_visible()  # the empty state
    trainer.check("draft-created")

    # A module, written in Markdown.
    page.get_by_role("link", name="Add a module").click()
    expect(page.get_by_role("heading", name="New module")).to_be_visible()
    trainer.check("new-module")
    page.get_by_label("Title").fill("Where mould grows")
    page.get_by_label(re.compile(r"^Text \(Markdown")).fill(
        "## Moisture first\n\nMould needs **moisture**, food and time:\n\n"
        "- dry within 48 hours\n- find hidden wet areas"
    )
    page.get_by_role("button", name="Save module").click()
    flash(page, "Saved module 1, “Where mould grows”.")
    expect(page.locator(".module-list li")).to_have_count(1)
    trainer.check()

    # The versions page says what is still missing before the course can be submitted.
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_text(re.compile("Before submitting, add: a final quiz"))).to_be_visible()
    trainer.check()

    # The final quiz: one single-choice question.
    page.get_by_role("link", name=re.compile(r"^Edit final quiz")).click()
    expect(page.get_by_text("This quiz has no questions yet.")).to_be_visible()
    trainer.check("quiz-empty")
    page.get_by_role("link", name="Single choice").click()
    expect(page.get_by_role("heading", name="New question: single choice")).to_be_visible()
    trainer.check("new-question")
    page.get_by_label("Question (Markdown)").fill("How soon should wet materials be dry?")
    page.get_by_label("Choice 1: text").fill("Within 48 hours")
    page.get_by_label("Choice 1 is correct").check()
    page.get_by_label("Choice 2: text").fill("Within two weeks")
    page.get_by_role("button", name="Add question").click()
    flash(page, "Question 1 is added.")
    expect(page.locator("table.question-list tbody tr")).to_have_count(1)
    trainer.check("quiz-one-question")

    # Submit for approval.
    nav(page, "Studio")
    trainer.check()
    page.get_by_role("link", name=TITLE).click()
    trainer.check()
    # A short course claiming more than the credit estimate: the trainer says why.
    page.get_by_label("Why does the course deserve more credit than the estimate?").fill(
        "A supervised practical session makes up the difference."
    )
    page.get_by_role("button", name="Submit version 1 for approval").click()
    expect(page.get_by_role("heading", name="Version 1: Submitted")).to_be_visible()
    expect(page.get_by_text("Waiting for an administrator to record the approval.")).to_be_visible()
    trainer.check("submitted")

    # The administrator records the certifying body's approval.
    admin = journey("admin-approves", viewport=DESKTOP)
    sign_in(admin, "admin@example.com", "admin-demo-pass")
    nav(admin.page, "Admin")
    expect(admin.page.get_by_role("heading", name="Admin", level=1)).to_be_visible()
    admin.check("admin-home")
    admin.page.get_by_role("link", name="Approval queue").click()
    queue = admin.page.get_by_role("table", name="Course versions submitted for approval")
    expect(queue.get_by_role("row")).to_have_count(2)  # the header and our course
    admin.check("approval-queue")
    queue.get_by_role("link", name=TITLE).click()
    expect(admin.page.get_by_role("heading", name="Approve")).to_be_visible()
    admin.check("approval-review")
    today = clock().date()
    admin.page.get_by_label("Approval number").fill(APPROVAL)
    admin.page.get_by_label("Approval date").fill(today.isoformat())
    admin.page.get_by_label("Expiry date").fill((today + timedelta(days=730)).isoformat())
    admin.page.get_by_role("button", name="Approve version 1").click()
    flash(admin.page, f"Version 1 of {TITLE} is approved under {APPROVAL}")
    expect(admin.page.get_by_text("No course is waiting for approval.")).to_be_visible()
    admin.check("approval-queue-empty")

    # The trainer publishes it; learners find it in the catalogue.
    page.reload()
    expect(page.get_by_role("heading", name="Version 1: Approved")).to_be_visible()
    trainer.check()
    page.get_by_role("button", name="Publish version 1").click()
    expect(page.get_by_role("heading", name="Version 1: Published")).to_be_visible()
    expect(page.get_by_text(APPROVAL)).to_be_visible()
    trainer.check("published")
    nav(page, "Courses")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    trainer.check()

    # The report: nobody has taken it yet, and the page says so.
    nav(page, "Studio")
    trainer.check()
    page.get_by_role("link", name=TITLE).click()
    trainer.check()
    page.get_by_role("link", name="Report and roster").click()
    expect(page.get_by_role("heading", name=f"Report: {TITLE}")).to_be_visible()
    expect(page.get_by_text("Nobody has completed this course yet.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"No learner has finished the quiz"))).to_be_visible()
    trainer.check("report")

    trainer.finish()
    admin.finish()
    assert problems == []


def test_admin_revokes_a_certificate_and_a_verifier_on_a_phone_sees_it(
    journey, live_server, certificates, problems
):
    admin = journey("admin-revokes", viewport=DESKTOP)
    page = admin.page
    sign_in(admin, "admin@example.com", "admin-demo-pass")

    # Find the graduate, then the certificate, through their credit log.
    nav(page, "Admin")
    admin.check()
    page.get_by_role("link", name="People and roles").click()
    admin.check("people")
    page.get_by_label("Search by name or e-mail").fill("graduate")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_text("1 person matching “graduate”")).to_be_visible()
    admin.check()
    page.get_by_role("link", name="Credit log of Grace Graduate").click()
    expect(page.get_by_role("heading", name="Credit log of Grace Graduate")).to_be_visible()
    admin.check("credit-log")
    rows = page.locator("table.report tbody tr")
    valid = rows.filter(has_text="Moisture Mapping and Drying Documentation")
    valid_certificate = valid.get_by_role("link", name="Certificate").get_attribute("href")
    assert valid_certificate
    valid_url = live_server + valid_certificate.replace("/certificates/", "/verify/")
    row = rows.filter(has_text="Hot Water Extraction Fundamentals")
    row.get_by_role("link", name="Certificate").click()
    expect(page.get_by_role("heading", name="Certificate of completion")).to_be_visible()
    admin.check("certificate-admin")
    verify_url = page.get_by_role("link", name="Public verification page").get_attribute("href")
    assert verify_url

    # Revoking is confirmed on a page that says what will happen; a reason is required; then
    # the certificate is revoked, and says so.
    page.get_by_role("link", name="Revoke this certificate…").click()
    expect(page.get_by_role("heading", name="Revoke this certificate?")).to_be_visible()
    admin.check("certificate-revoke-confirm")
    reason = "Completed by someone else (admin check)"
    page.get_by_label(re.compile(r"^Reason for revoking")).fill(reason)
    page.get_by_role("button", name="Revoke the certificate and reverse its credit").click()
    flash(page, "The certificate is revoked")
    expect(page.locator(".flash-error")).to_contain_text(reason)
    expect(page.get_by_role("link", name="Revoke this certificate…")).to_have_count(0)
    admin.check("certificate-revoked")

    # The verifier, on a phone and signed out, opens the links.
    verifier = journey("verifier", viewport=PHONE, is_mobile=True, has_touch=True)
    phone = verifier.page
    phone.goto(verify_url)
    expect(phone.get_by_role("heading", name="Revoked certificate")).to_be_visible()
    expect(phone.locator(".verdict")).to_contain_text(reason)
    expect(phone.get_by_role("link", name="Sign in")).to_be_visible()
    verifier.check("verify-revoked")
    phone.goto(valid_url)
    expect(phone.get_by_role("heading", name="Valid certificate")).to_be_visible()
    # Not by colour alone: each check says in words whether it passed.
    checks = phone.locator(".checks li")
    expect(checks.first).to_contain_text("✓ Passed")
    expect(phone.locator(".checks li.fail")).to_have_count(0)
    verifier.check("verify-valid")

    admin.finish()
    verifier.finish()
    assert problems == []
