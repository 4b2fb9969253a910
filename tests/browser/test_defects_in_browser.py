"""Issue 14's defects as people meet them in Chromium: a failed quiz's result (which questions
were wrong, the retry time in the viewer's own time), revoking with confirmation and the
retake it allows, the reviewer's approval page with the estimate, and the course report with
its learners in progress. axe, the phone's sideways scroll and screenshots on each page."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

from playwright.sync_api import expect  # noqa: E402

from tests.browser.conftest import DESKTOP, sign_in  # noqa: E402
from tests.conftest import (  # noqa: E402
    Web,
    answer_key,
    complete_modules,
    start_quiz,
    wrong_key,
)

WATER = "category-and-class-of-water-intrusion"  # answers after a pass; 10 minutes between
HOT_WATER = "hot-water-extraction-fundamentals"
CHICAGO = "America/Chicago"


def _client_learner(app, create_user) -> tuple[object, Web]:
    """A learner driven through the test client (same database as the live server)."""
    user = create_user()
    web = Web(app.test_client())
    web.login(user.email, user.plain_password)
    return user, web


def _fail(app, web: Web, slug: str) -> int:
    web.submit(f"/courses/{slug}", action=f"/courses/{slug}/enrol")
    complete_modules(web, slug)
    attempt = start_quiz(web, slug)
    quiz = f"/courses/{slug}/quiz"
    assert web.submit(quiz, wrong_key(app, slug), action=f"{quiz}/{attempt}").status_code == 302
    return attempt


def _pass(app, web: Web, slug: str) -> int:
    web.submit(f"/courses/{slug}", action=f"/courses/{slug}/enrol")
    complete_modules(web, slug)
    attempt = start_quiz(web, slug)
    quiz = f"/courses/{slug}/quiz"
    assert web.submit(quiz, answer_key(app, slug), action=f"{quiz}/{attempt}").status_code == 302
    return attempt


def test_a_pass_leads_on_to_the_certificate_and_the_next_course(
    app, clock, create_user, journey, live_server
):
    app.config["LMS_BASE_URL"] = live_server
    user, web = _client_learner(app, create_user)
    # The learner holds CCT, so a course counting toward it is the next step.
    with app.app_context():
        from sqlalchemy import select

        from lms.catalogue.models import Certification, Holding

        db = app.extensions["lms"].db.session
        cct = db.scalars(select(Certification).where(Certification.code == "CCT")).one()
        db.add(
            Holding(
                user_id=user.id,
                certification_id=cct.id,
                number="CCT-4242",
                certified_on=clock().date(),
                created_at=clock(),
            )
        )
        db.commit()
    attempt = _pass(app, web, HOT_WATER)
    learner = journey("defects-quiz-passed", viewport=DESKTOP)
    sign_in(learner, user.email, user.plain_password)
    page = learner.page
    page.goto(f"/courses/{HOT_WATER}/quiz/{attempt}")
    expect(page.get_by_role("heading", name="You passed")).to_be_visible()
    steps = page.locator("ul.next-steps")
    expect(steps.get_by_role("link", name="View your certificate")).to_be_visible()
    expect(steps.get_by_role("link", name=re.compile("^Next course that counts"))).to_be_visible()
    expect(steps.get_by_role("link", name="Back to your dashboard")).to_be_visible()
    learner.check("result")
    learner.finish()


def test_a_failed_quiz_counts_the_wrong_answers_and_gives_the_retry_time_in_local_time(
    app, create_user, journey
):
    user, web = _client_learner(app, create_user)
    attempt = _fail(app, web, WATER)
    learner = journey("defects-quiz-failed", viewport=DESKTOP, timezone_id=CHICAGO)
    sign_in(learner, user.email, user.plain_password)
    page = learner.page
    page.goto(f"/courses/{WATER}/quiz/{attempt}")
    expect(page.get_by_role("heading", name="Not passed yet")).to_be_visible()
    expect(page.locator("ul.outcomes li.review-wrong")).to_contain_text("wrong")
    retry = page.locator("time[data-local-time]")
    # quiz.js replaced the UTC text with the local time of the browser (Chicago).
    expect(retry).not_to_have_text(re.compile("UTC$"))
    stamp = retry.get_attribute("datetime")
    utc = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    local = utc.astimezone(ZoneInfo(CHICAGO))
    shown = retry.inner_text()
    # Chicago's clock time (the browser's zone), not UTC's: they are hours apart.
    assert f"{local:%I:%M}" in shown and f"{utc:%H:%M}" not in shown, shown
    learner.check("result")
    page.goto(f"/courses/{WATER}/quiz")
    expect(page.locator("time[data-local-time]")).not_to_have_text(re.compile("UTC$"))
    learner.check("quiz-waiting")
    learner.finish()


def test_revoking_confirms_and_a_retake_is_offered_to_the_learner(
    app, create_user, journey, live_server
):
    from sqlalchemy import select

    from certificates import Certificate
    from lms.credits.models import CreditEntry

    app.config["LMS_BASE_URL"] = live_server
    user, web = _client_learner(app, create_user)
    _pass(app, web, HOT_WATER)
    with app.app_context():
        db = app.extensions["lms"].db.session
        public_id = db.scalars(
            select(Certificate.public_id)
            .join(CreditEntry, CreditEntry.certificate_id == Certificate.id)
            .where(CreditEntry.user_id == user.id)
        ).first()

    admin = journey("defects-revoke", viewport=DESKTOP)
    sign_in(admin, "admin@example.com", "admin-demo-pass")
    page = admin.page
    page.goto(f"/certificates/{public_id}")
    admin.check()
    page.get_by_role("link", name="Revoke this certificate…").click()
    expect(page.get_by_role("heading", name="Revoke this certificate?")).to_be_visible()
    expect(page.locator(".revoke-consequences")).to_contain_text("reversed")
    admin.check("confirm")
    # Without a reason nothing happens, and the box ticked stays ticked.
    page.get_by_label("The learner may retake the course to earn the credit again").check()
    page.get_by_role("button", name="Revoke the certificate and reverse its credit").click()
    expect(page.locator(".error")).to_contain_text("Give a reason")
    expect(
        page.get_by_label("The learner may retake the course to earn the credit again")
    ).to_be_checked()
    admin.check("confirm-refused")
    page.get_by_label(re.compile("^Reason for revoking")).fill("Course must be retaken")
    page.get_by_role("button", name="Revoke the certificate and reverse its credit").click()
    expect(page.locator(".flash").filter(has_text="The certificate is revoked")).to_be_visible()
    admin.check("revoked")
    admin.finish()

    learner = journey("defects-retake", viewport=DESKTOP)
    sign_in(learner, user.email, user.plain_password)
    learner.page.goto(f"/courses/{HOT_WATER}")
    expect(learner.page.get_by_text("You completed this course")).to_have_count(0)
    expect(learner.page.get_by_role("button", name="Retake this course")).to_be_visible()
    learner.check("course-page")
    learner.page.get_by_role("button", name="Retake this course").click()
    learner.check()
    learner.finish()


def test_the_reviewer_sees_the_estimate_the_reason_and_the_course(app, journey, clock):
    from lms.catalogue.operations import published_course
    from lms.db import session
    from lms.studio.lifecycle import new_version

    with app.app_context():
        new_version(published_course(HOT_WATER), clock())
        session().commit()
    trainer = journey("defects-estimate", viewport=DESKTOP)
    sign_in(trainer, "trainer@example.com", "trainer-demo-pass")
    page = trainer.page
    page.goto(f"/studio/courses/{HOT_WATER}/")
    reason = page.get_by_label("Why does the course deserve more credit than the estimate?")
    expect(reason).to_be_visible()
    trainer.check("versions")
    page.get_by_role("button", name="Submit version 2 for approval").click()
    expect(page.locator(".error")).to_contain_text("say why it deserves more")
    trainer.check("submit-refused")
    reason = page.get_by_label("Why does the course deserve more credit than the estimate?")
    reason.fill("A supervised practical session at the bench makes up the difference.")
    page.get_by_role("button", name="Submit version 2 for approval").click()
    expect(page.get_by_role("heading", name="Version 2: Submitted")).to_be_visible()
    trainer.check()
    trainer.finish()

    admin = journey("defects-approval", viewport=DESKTOP)
    sign_in(admin, "admin@example.com", "admin-demo-pass")
    admin.page.goto("/admin/approvals")
    admin.check()
    admin.page.get_by_role("link", name=re.compile("Hot Water Extraction")).first.click()
    expect(admin.page.locator(".approval-estimate")).to_contain_text("Estimate 0 CEC")
    expect(admin.page.locator(".credit-reason")).to_contain_text("supervised practical")
    expect(admin.page.locator("ol.quiz-preview > li").first).to_be_visible()
    admin.check("approval")
    admin.finish()


def test_the_course_report_lists_learners_in_progress(app, create_user, journey):
    _, web = _client_learner(app, create_user)
    web.submit(f"/courses/{HOT_WATER}", action=f"/courses/{HOT_WATER}/enrol")
    trainer = journey("defects-report", viewport=DESKTOP)
    sign_in(trainer, "trainer@example.com", "trainer-demo-pass")
    trainer.page.goto(f"/studio/courses/{HOT_WATER}/report")
    expect(trainer.page.get_by_role("heading", name="Learners in progress")).to_be_visible()
    expect(trainer.page.locator("#in-progress + .table-wrap")).to_contain_text("0 of 3 modules")
    trainer.check("report")
    trainer.finish()
