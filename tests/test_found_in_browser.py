"""Defects found by using the demo in Chromium as each kind of user (new learner, graduate,
trainer, admin, verifier) at phone and desktop widths, checked here on the server side."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import select

from tests.conftest import (
    DEMO_SLUG,
    Web,
    answer_key,
    complete_modules,
    signed_in,
    start_quiz,
    wrong_key,
)
from tests.test_events import create_event

LATER = {"starts_at": "2026-03-10T14:00", "ends_at": "2026-03-10T18:00"}


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def _learner(app: Flask, create_user: Callable[..., Any]) -> tuple[Any, Web]:
    person = create_user()
    return person, signed_in(app, person.email, person.plain_password)


# Trainer ---------------------------------------------------------------------------------


def test_retiring_a_version_is_confirmed_and_says_what_happens(app: Flask, trainer: Web) -> None:
    from lms.catalogue.operations import course_version

    page = f"/studio/courses/{DEMO_SLUG}/"
    action = f"/studio/courses/{DEMO_SLUG}/v1/retire"
    shown = text(trainer.get(page))
    assert "nobody new can enrol" in shown and 'name="sure" value="yes" required' in shown

    refused = trainer.submit(page, action=action)  # one click, no tick
    assert refused.status_code == 400
    assert "Tick the box to confirm" in text(refused)
    with app.app_context():
        assert course_version(DEMO_SLUG, 1).status == "published"

    assert trainer.submit(page, {"sure": "yes"}, action=action).status_code == 302
    with app.app_context():
        assert course_version(DEMO_SLUG, 1).status == "retired"


def test_the_quiz_editor_leads_back_to_its_course(trainer: Web) -> None:
    edit = f'href="/studio/courses/{DEMO_SLUG}/v1/edit"'
    versions = f'href="/studio/courses/{DEMO_SLUG}/"'
    overview = text(trainer.get(f"/studio/courses/{DEMO_SLUG}/v1/quiz"))
    crumbs = re.search(r'<p class="crumbs">(.*?)</p>', overview, re.S).group(1)
    assert edit in crumbs and versions in crumbs
    question = text(trainer.get(f"/studio/courses/{DEMO_SLUG}/v1/quiz/questions/new?type=single"))
    crumbs = re.search(r'<p class="crumbs">(.*?)</p>', question, re.S).group(1)
    assert edit in crumbs and versions in crumbs


# Admin -----------------------------------------------------------------------------------


def test_the_approval_page_says_the_claim_is_more_than_the_estimate(
    app: Flask, trainer: Web, admin: Web, draft: str
) -> None:
    from lms.catalogue.operations import course_version

    # The demo course claims more than its estimate: the submission gives a reason.
    response = trainer.submit(
        f"/studio/courses/{DEMO_SLUG}/", {"credit_reason": "A practical lab."}, draft + "/submit"
    )
    assert response.status_code == 302, text(response)
    with app.app_context():
        course_id = course_version(DEMO_SLUG, 2).id
    page = text(admin.get(f"/admin/approvals/{course_id}"))
    assert re.search(r"the claim of [\d.]+ CEC is more than this estimate</strong>", page)


def test_a_revoked_certificate_says_why_it_offers_no_action(app: Flask, admin: Web) -> None:
    from certificates import Certificate
    from lms.db import session
    from lms.demo import seed_demo_certificates

    app.config["LMS_BASE_URL"] = "http://lms.example"
    with app.app_context():
        seed_demo_certificates()
        revoked = (
            session()
            .scalars(select(Certificate.public_id).where(Certificate.revoked_at.is_not(None)))
            .first()
        )
    page = text(admin.get(f"/certificates/{revoked}"))
    after = page.split("Administration</h2>", 1)[1]
    assert "can be neither revoked again nor reissued" in after
    assert 'href="/admin/users"' in after


# Learner ---------------------------------------------------------------------------------


def test_a_failed_quiz_waiting_to_retry_leads_back_to_the_modules(
    app: Flask, demo: None, create_user: Callable[..., Any]
) -> None:
    slug = "category-and-class-of-water-intrusion"  # 10 minutes between attempts
    _, web = _learner(app, create_user)
    web.submit(f"/courses/{slug}", action=f"/courses/{slug}/enrol")
    complete_modules(web, slug)
    attempt = start_quiz(web, slug)
    done = web.submit(
        f"/courses/{slug}/quiz", wrong_key(app, slug), f"/courses/{slug}/quiz/{attempt}"
    )
    assert done.status_code == 302
    page = text(web.get(f"/courses/{slug}/quiz/{attempt}"))
    assert "You can try again from" in page
    assert f'href="/courses/{slug}/modules/1">Review the modules while you wait</a>' in page


def test_an_empty_date_picker_is_not_asked_for_yyyy_mm_dd(
    app: Flask, demo: None, create_user: Callable[..., Any]
) -> None:
    from lms.catalogue.models import Certification
    from lms.db import session

    with app.app_context():
        wrt = session().scalars(select(Certification.id).where(Certification.code == "WRT")).one()
    _, web = _learner(app, create_user)

    holding = web.submit(
        "/my/certifications", {"certification_id": str(wrt), "number": "WRT-1", "certified_on": ""}
    )
    assert holding.status_code == 400
    assert "Enter the date you were certified." in text(holding)
    assert "YYYY-MM-DD" not in text(holding)

    claim = web.submit(
        "/my/claims/new",
        {
            "kind": "course",
            "certification_id": "",
            "title": "Trade show seminar",
            "provider": "ACME",
            "completed_on": "",
            "hours": "1",
            "credits": "1",
            "credit_unit": "CEC",
            "category": "general",
        },
    )
    assert claim.status_code == 400
    assert "Enter the completion date." in text(claim)
    assert "YYYY-MM-DD" not in text(claim)


def test_the_seat_email_links_to_the_event_and_one_seat_reads_right(
    app: Flask, trainer: Web, create_user: Callable[..., Any]
) -> None:
    from lms.outbox.models import OutboxMessage

    event_id = create_event(trainer, capacity="1", **LATER)
    _, first = _learner(app, create_user)
    second_person, second = _learner(app, create_user)
    page = f"/events/{event_id}"
    first.submit(page, action=f"{page}/register")
    full = text(second.get(page))
    assert "The only seat is taken" in full and "All 1 seats" not in full
    second.submit(page, action=f"{page}/register")
    first.submit(page, action=f"{page}/cancel-registration")
    with app.app_context():
        db = app.extensions["lms"].db.session
        [mail] = db.scalars(select(OutboxMessage)).all()
        assert mail.to_address == second_person.email
        assert f"/events/{event_id}\n" in mail.body


def test_a_course_whose_certificate_was_revoked_with_a_retake_is_offered_again(
    app: Flask, demo: None
) -> None:
    from lms.demo import seed_demo_certificates

    # The demo graduate's WRT certificate was revoked with a retake; WRT is at risk, and the
    # pages said no course counted toward it.
    app.config["LMS_BASE_URL"] = "http://lms.example"
    with app.app_context():
        seed_demo_certificates()
    graduate = signed_in(app, "graduate@example.com", "graduate-demo-pass")
    slug = "category-and-class-of-water-intrusion"
    home = text(graduate.get("/dashboard"))
    step = home.split('id="next-h"', 1)[1].split("</section>", 1)[0]
    assert f'href="/courses/{slug}"' in step and "No online course" not in step
    needs = text(graduate.get("/my/compliance"))
    wrt = needs.split("Water Damage Restoration Technician", 1)[1]
    assert f'href="/courses/{slug}"' in wrt
    assert "Retake this course" in text(graduate.get(f"/courses/{slug}"))


def test_a_new_account_is_not_welcomed_back(
    app: Flask, demo: None, create_user: Callable[..., Any]
) -> None:
    person, web = _learner(app, create_user)
    home = text(web.get("/dashboard"))
    assert f"Welcome, {person.name}." in home and "Welcome back" not in home


def test_the_outline_says_reading_now_on_the_module_being_read(
    app: Flask, demo: None, create_user: Callable[..., Any]
) -> None:
    _, web = _learner(app, create_user)
    web.submit(f"/courses/{DEMO_SLUG}", action=f"/courses/{DEMO_SLUG}/enrol")
    reading = text(web.get(f"/courses/{DEMO_SLUG}/modules/1"))
    assert '<span class="state-label">Reading now</span>' in reading
    assert '<span class="state-label">Up next</span>' not in reading
    course = text(web.get(f"/courses/{DEMO_SLUG}"))  # not reading: module 1 is next
    assert '<span class="state-label">Up next</span>' in course


def test_a_pass_says_the_credit_is_in_the_log_in_plain_grammar(
    app: Flask, demo: None, create_user: Callable[..., Any]
) -> None:
    _, web = _learner(app, create_user)
    web.submit(f"/courses/{DEMO_SLUG}", action=f"/courses/{DEMO_SLUG}/enrol")
    complete_modules(web, DEMO_SLUG)
    attempt = start_quiz(web, DEMO_SLUG)
    action = f"/courses/{DEMO_SLUG}/quiz/{attempt}"
    web.submit(f"/courses/{DEMO_SLUG}/quiz", answer_key(app, DEMO_SLUG), action)
    page = text(web.get(action))
    assert "1 CEC earned: now in your credit log." in page and "1 CEC are" not in page


def test_the_quiz_editor_counts_points_in_plain_grammar(trainer: Web) -> None:
    page = text(trainer.get(f"/studio/courses/{DEMO_SLUG}/v1/quiz"))
    assert re.search(r"\d+ questions, \d+ points in all\.", page)


def test_a_multiple_select_question_says_select_all_that_apply_once(
    app: Flask, demo: None, create_user: Callable[..., Any]
) -> None:
    _, web = _learner(app, create_user)
    web.submit(f"/courses/{DEMO_SLUG}", action=f"/courses/{DEMO_SLUG}/enrol")
    complete_modules(web, DEMO_SLUG)
    start_quiz(web, DEMO_SLUG)
    page = text(web.get(f"/courses/{DEMO_SLUG}/quiz"))
    assert page.count("select all that apply") == 1  # the demo's one multiple-select question


def test_reversing_a_credit_says_what_will_happen(app: Flask, admin: Web) -> None:
    from lms.accounts.operations import find_user_by_email
    from lms.demo import seed_demo_certificates

    app.config["LMS_BASE_URL"] = "http://lms.example"
    with app.app_context():
        seed_demo_certificates()
        graduate = find_user_by_email("graduate@example.com").id
    page = text(admin.get(f"/admin/users/{graduate}/ledger"))
    assert re.search(
        r"Adds an entry of −1 CEC with this reason, which the learner sees; it cannot be undone",
        page,
    )


def test_an_admin_is_not_offered_a_role_change_that_would_be_refused(
    app: Flask, admin: Web
) -> None:
    from lms.accounts.operations import find_user_by_email

    with app.app_context():
        me = find_user_by_email("admin@example.com").id
        trainer = find_user_by_email("trainer@example.com").id
    page = text(admin.get("/admin/users"))
    assert f'action="/admin/users/{me}/role"' not in page
    assert "another admin can change your role" in page
    assert f'action="/admin/users/{trainer}/role"' in page


def test_changing_the_password_says_which_password_is_which(
    app: Flask, demo: None, create_user: Callable[..., Any]
) -> None:
    _, web = _learner(app, create_user)
    empty = text(web.submit("/account/password", {}))
    assert ">New password<" in empty and ">Repeat the new password<" in empty
    summary = empty.index("Enter your current password.")
    assert summary < empty.index("Choose a new password.") < empty.index("Repeat the new password.")
    assert "This field is required." not in empty


def test_empty_sign_in_and_sign_up_forms_say_what_is_missing(web: Web) -> None:
    login = text(web.submit("/login", {}))
    assert "Enter your e-mail address." in login and "Enter your password." in login
    signup = text(web.submit("/register", {}))
    assert "Choose a password." in signup and "Repeat the password." in signup
    assert "This field is required." not in login + signup


def test_the_catalogue_card_does_not_call_a_course_to_retake_completed(
    app: Flask, demo: None
) -> None:
    from lms.demo import seed_demo_certificates

    app.config["LMS_BASE_URL"] = "http://lms.example"
    with app.app_context():
        seed_demo_certificates()  # the WRT course's certificate is revoked with a retake
    graduate = signed_in(app, "graduate@example.com", "graduate-demo-pass")
    page = text(graduate.get("/"))
    cards = {
        title: card
        for card in page.split('<li class="course-card')[1:]
        for title in re.findall(r">([^<]+)</a></h", card)[:1]
    }
    retake = cards["Category and Class of Water Intrusion"]
    assert "retake the course to earn the credit" in retake and "Completed" not in retake
    assert "✓ Completed" in cards["Hot Water Extraction Fundamentals"]


def test_the_branding_page_leads_back_to_the_admin_pages(admin: Web) -> None:
    page = text(admin.get("/admin/branding"))
    crumbs = re.search(r'<p class="crumbs">(.*?)</p>', page, re.S)
    assert crumbs and 'href="/admin/"' in crumbs.group(1)


def test_the_holder_is_told_when_their_certificate_is_revoked(
    app: Flask, admin: Web, create_user: Callable[..., Any]
) -> None:
    from certificates import Certificate
    from lms.credits.models import CreditEntry
    from lms.notifications.models import Notification
    from lms.outbox.models import OutboxMessage

    person, web = _learner(app, create_user)
    web.submit(f"/courses/{DEMO_SLUG}", action=f"/courses/{DEMO_SLUG}/enrol")
    complete_modules(web, DEMO_SLUG)
    attempt = start_quiz(web, DEMO_SLUG)
    quiz = f"/courses/{DEMO_SLUG}/quiz"
    web.submit(quiz, answer_key(app, DEMO_SLUG), f"{quiz}/{attempt}")
    with app.app_context():
        db = app.extensions["lms"].db.session
        certificate_id = db.scalar(
            select(CreditEntry.certificate_id).where(CreditEntry.user_id == person.id)
        )
        public_id = db.get(Certificate, certificate_id).public_id
    page = f"/certificates/{public_id}/revoke"
    done = admin.submit(page, {"reason": "Answers were shared", "retake": "y"})
    assert done.status_code == 302, text(done)

    listing = text(web.get("/my/notifications"))
    assert "Certificate revoked: Hot Water Extraction Fundamentals" in listing
    with app.app_context():
        db = app.extensions["lms"].db.session
        [told] = db.scalars(
            select(Notification).where(
                Notification.user_id == person.id, Notification.kind == "certificate-revoked"
            )
        ).all()
        assert "Answers were shared" in told.body and "retake the course" in told.body
        mails = db.scalars(
            select(OutboxMessage.subject).where(OutboxMessage.to_address == person.email)
        ).all()
        assert "Certificate revoked: Hot Water Extraction Fundamentals" in mails
    # Its e-mail can be turned off like the others.
    assert "Certificate revoked" in text(web.get("/my/notifications/preferences"))


def test_the_certifications_list_counts_in_plain_grammar(app: Flask, admin: Web) -> None:
    from lms.demo import seed_demo_certificates

    app.config["LMS_BASE_URL"] = "http://lms.example"
    with app.app_context():
        seed_demo_certificates()  # the graduate holds CCT and WRT
    page = text(admin.get("/admin/certifications"))
    assert "1 holder<" in page and "1 holders" not in page
    assert "0 course versions, 0 holders" in page  # MWR


def test_sign_in_to_enrol_lands_on_the_course_with_a_plain_message(
    app: Flask, demo: None, create_user: Callable[..., Any]
) -> None:
    _, web = _learner(app, create_user)
    landed = web.get(f"/courses/{DEMO_SLUG}/continue", follow_redirects=True)
    page = text(landed)
    assert "You are not enrolled in this course yet: enrol below to start it." in page
    assert ">Enrol in this course</button>" in page


def test_the_transcript_pdf_is_not_justified_into_wide_gaps(app: Flask, demo: None) -> None:
    import pypdfium2

    from lms.demo import seed_demo_certificates

    app.config["LMS_BASE_URL"] = "http://lms.example"
    with app.app_context():
        seed_demo_certificates()  # a revoked certificate: long notes in narrow cells
    graduate = signed_in(app, "graduate@example.com", "graduate-demo-pass")
    response = graduate.get("/my/transcript.pdf?all=1")
    assert response.status_code == 200
    page = pypdfium2.PdfDocument(response.get_data())[0].get_textpage()
    words = page.get_text_range()
    at = words.find("Reverses entry")
    assert at >= 0, words
    gap = page.get_charbox(at + 9)[0] - page.get_charbox(at + 7)[2]  # "Reverses" to "entry"
    assert gap < 8, f"a {gap:.1f} pt gap between two words"


def test_a_read_only_version_says_what_to_do_and_links_to_where_it_is_done(
    trainer: Web, draft: str
) -> None:
    versions = f'<a href="/studio/courses/{DEMO_SLUG}/">Go to the course\'s versions</a>'
    for page in ("/edit", "/modules/1/edit", "/quiz"):
        shown = text(trainer.get(f"/studio/courses/{DEMO_SLUG}/v1{page}"))
        assert "Start a new version to edit it." in shown and versions in shown, page
    submitted = trainer.submit(
        f"/studio/courses/{DEMO_SLUG}/", {"credit_reason": "A practical lab."}, draft + "/submit"
    )
    assert submitted.status_code == 302
    shown = text(trainer.get(draft + "/edit"))
    assert "Withdraw it from approval to edit it again." in shown and versions in shown


def test_a_revocation_reason_ending_in_a_full_stop_gets_no_second_one(
    app: Flask, admin: Web
) -> None:
    from certificates import Certificate
    from lms.awards.operations import revoke
    from lms.db import session
    from lms.demo import seed_demo_certificates

    app.config["LMS_BASE_URL"] = "http://lms.example"
    with app.app_context():
        seed_demo_certificates()
        valid = (
            session().scalars(select(Certificate).where(Certificate.revoked_at.is_(None))).first()
        )
        public_id = valid.public_id
        revoke(valid, "The course must be retaken.", valid.issued_at)
    for page in (f"/verify/{public_id}", f"/certificates/{public_id}"):
        shown = text(admin.get(page))
        assert "The course must be retaken." in shown and "retaken.." not in shown, page


def test_approval_and_due_dates_are_written_out_not_iso(app: Flask, trainer: Web) -> None:
    iso = re.compile(r"\b20\d\d-\d\d-\d\d\b")
    studio = text(trainer.get("/studio/"))
    approvals = re.findall(r'data-label="Approval">(.*?)</td>', studio, re.S)
    assert approvals and not any(iso.search(re.sub(r"<[^>]+>", "", a)) for a in approvals)
    assert re.search(r"through <time datetime=\"[\d-]+\">\d{1,2} \w+ 20\d\d</time>", studio)
    course = text(trainer.get(f"/courses/{DEMO_SLUG}"))
    assert re.search(r"\(valid through <time[^>]*>\d{1,2} \w+ 20\d\d</time>\)", course)
    versions = text(trainer.get(f"/studio/courses/{DEMO_SLUG}/"))
    assert re.search(r"valid through <time[^>]*>\d{1,2} \w+ 20\d\d</time>", versions)


def test_the_dashboards_requirements_give_their_due_date_written_out(
    app: Flask, demo: None
) -> None:
    from lms.demo import seed_demo_certificates

    app.config["LMS_BASE_URL"] = "http://lms.example"
    with app.app_context():
        seed_demo_certificates()
    graduate = signed_in(app, "graduate@example.com", "graduate-demo-pass")
    home = text(graduate.get("/dashboard"))
    needs = home.split('id="compliance-h"', 1)[1].split("</section>", 1)[0]
    assert re.search(r"due <time[^>]*>\d{1,2} \w+ 20\d\d</time>", needs), needs[:500]
