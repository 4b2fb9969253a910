"""Notifications: each kind recorded once in-app and e-mailed through the outbox in the same
transaction as its event; e-mail preferences per kind (in-app always kept) with a signed link
in every e-mail; the Notifications page pages, marks read and shows nobody else's."""

from __future__ import annotations

import re
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import DEMO_SLUG, Web, answer_key, complete_modules, signed_in, start_quiz
from tests.query_plans import statements_of

VERSIONS = f"/studio/courses/{DEMO_SLUG}/"
LINK_RE = re.compile(r"https?://\S+")


def _rows(app, user_id: int | None = None) -> list:
    from lms.db import session
    from lms.notifications.models import Notification

    with app.app_context():
        query = select(Notification).order_by(Notification.id)
        if user_id is not None:
            query = query.where(Notification.user_id == user_id)
        return list(session().scalars(query))


def _sent_bodies(app, to: str) -> list[str]:
    """The bodies of the e-mails the file backend wrote to ``to``."""
    from email import message_from_string
    from pathlib import Path

    folder = Path(app.config["LMS_MAIL_DIR"])
    mails = [message_from_string(p.read_text()) for p in sorted(folder.glob("*.eml"))]
    return [m.get_payload(decode=True).decode() for m in mails if m["To"] == to]


def _outbox(app, to: str | None = None) -> list:
    from lms.db import session
    from lms.outbox.models import OutboxMessage

    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if to is not None:
            query = query.where(OutboxMessage.to_address == to)
        return list(session().scalars(query))


def _pass_demo_course(app, web: Web) -> tuple[int, object]:
    web.submit(f"/courses/{DEMO_SLUG}", action=f"/courses/{DEMO_SLUG}/enrol")
    complete_modules(web, DEMO_SLUG)
    attempt = start_quiz(web, DEMO_SLUG)
    action = f"/courses/{DEMO_SLUG}/quiz/{attempt}"
    response = web.submit(f"/courses/{DEMO_SLUG}/quiz", answer_key(app, DEMO_SLUG), action=action)
    assert response.status_code in (200, 302), response.get_data(as_text=True)
    return attempt, response


def _notify_many(app, user_id: int, count: int, clock) -> None:
    from lms.db import session
    from lms.notifications import kinds
    from lms.notifications.operations import notify

    with app.app_context():
        for n in range(count):
            clock.advance(minutes=1)
            notify(
                session(),
                user_id=user_id,
                kind=kinds.INSTRUCTOR_ANSWER,
                subject_key=f"answer:{n}",
                title=f"Answer number {n}",
                body=f"Body {n}",
                now=clock(),
            )
        session().commit()


@pytest.fixture
def learner(app, demo, create_user):
    user = create_user(name="Nora Learner")
    return user, signed_in(app, user.email, user.plain_password)


def test_a_certificate_is_notified_once_with_its_link_even_when_the_submit_is_retried(app, learner):
    user, web = learner
    attempt, _ = _pass_demo_course(app, web)
    # The same submission again (a retry, a double click): graded once, notified once.
    again = web.submit(
        f"/courses/{DEMO_SLUG}/quiz",
        answer_key(app, DEMO_SLUG),
        action=f"/courses/{DEMO_SLUG}/quiz/{attempt}",
    )
    assert again.status_code in (200, 302)

    rows = _rows(app, user.id)
    assert [r.kind for r in rows] == ["certificate-issued"]
    assert rows[0].link.startswith("/certificates/") and rows[0].read_at is None
    mails = [m for m in _outbox(app, user.email) if "certificate" in m.subject.lower()]
    assert len(mails) == 1
    assert rows[0].link in mails[0].body  # the link to the certificate itself
    assert "/notifications/preferences/" in mails[0].body  # and to the e-mail preferences

    page = web.get("/my/notifications").get_data(as_text=True)
    assert "Your certificate for" in page and rows[0].link in page
    header = web.get("/dashboard").get_data(as_text=True)
    assert re.search(r'class="notify-count">1<span class="visually-hidden"> unread', header)


def test_notify_twice_for_the_same_event_records_and_mails_once(app, create_user, clock):
    from lms.db import session
    from lms.notifications import kinds
    from lms.notifications.operations import notify

    user = create_user()
    with app.app_context():
        first = notify(
            session(),
            user_id=user.id,
            kind=kinds.CLAIM_DECIDED,
            subject_key="claim:99",
            title="Decided",
            body="Body",
            now=clock(),
        )
        second = notify(
            session(),
            user_id=user.id,
            kind=kinds.CLAIM_DECIDED,
            subject_key="claim:99",
            title="Decided again",
            body="Body",
            now=clock(),
        )
        session().commit()
    assert (first, second) == (True, False)
    assert len(_rows(app, user.id)) == 1 and len(_outbox(app, user.email)) == 1


def _claim(app, user_id: int, clock) -> int:
    from lms.claims.models import CreditClaim
    from lms.db import session

    with app.app_context():
        claim = CreditClaim(
            user_id=user_id,
            kind="event",
            title="Mould remediation seminar",
            provider="Trade show",
            completed_on=clock().date() - timedelta(days=3),
            hours=Decimal("2"),
            credits=Decimal("1"),
            credit_unit="CEC",
            category="general",
            evidence_filename="proof.pdf",
            evidence_type="application/pdf",
            evidence_size=4,
            evidence_sha256="0" * 64,
            evidence_data=b"%PDF",
            status="pending",
            decision_reason="",
            created_at=clock(),
        )
        session().add(claim)
        session().commit()
        return claim.id


@pytest.mark.parametrize("decision", ["approved", "rejected"])
def test_a_claim_decision_is_notified_with_the_reviewers_note(
    app, demo, create_user, clock, decision
):
    from lms.claims.operations import approve_claim, get_claim, reject_claim

    user = create_user()
    reviewer = create_user(role="admin")
    claim_id = _claim(app, user.id, clock)
    with app.app_context():
        if decision == "approved":
            approve_claim(get_claim(claim_id), reviewer.id, clock())
        else:
            reject_claim(
                get_claim(claim_id), reviewer.id, "The certificate is not legible.", clock()
            )
    rows = _rows(app, user.id)
    assert [r.kind for r in rows] == ["claim-decided"]
    mails = _outbox(app, user.email)
    assert len(mails) == 1 and "Mould remediation seminar" in mails[0].subject
    if decision == "approved":
        assert "approved" in rows[0].body and "1 CEC" in rows[0].body
    else:
        assert "not approved" in rows[0].body
        assert "The certificate is not legible." in rows[0].body
        assert "The certificate is not legible." in mails[0].body


def test_a_course_approval_and_each_send_back_reach_its_trainer(app, demo, trainer, clock):
    from lms.accounts.models import User
    from lms.catalogue.operations import course_version
    from lms.db import session
    from lms.studio import lifecycle

    def step(name: str) -> None:
        # The demo course claims more than its estimate: the submission says why.
        response = trainer.submit(
            VERSIONS,
            {"credit_reason": "Hands-on practice outside the modules."},
            action=f"/studio/courses/{DEMO_SLUG}/v2/{name}",
        )
        assert response.status_code == 302, response.get_data(as_text=True)

    trainer.submit(VERSIONS, action=f"/studio/courses/{DEMO_SLUG}/v1/new-version")
    step("submit")
    with app.app_context():
        lifecycle.send_back(course_version(DEMO_SLUG, 2), "Cite the 2025 standard.")
        session().commit()
    clock.advance(hours=1)
    step("submit")
    with app.app_context():
        lifecycle.send_back(course_version(DEMO_SLUG, 2), "Module 3 is still missing.")
        session().commit()
    clock.advance(hours=1)
    step("submit")
    with app.app_context():
        lifecycle.approve(
            course_version(DEMO_SLUG, 2),
            number="APP-2",
            approved_on=date(2026, 1, 1),
            expires_on=date(2030, 1, 1),
            admin_id=1,
        )
        session().commit()
        owner = session().scalars(select(User).where(User.email == "trainer@example.com")).one()

    rows = [r for r in _rows(app, owner.id) if r.kind == "course-reviewed"]
    assert [r.title.split(":")[0] for r in rows] == ["Sent back", "Sent back", "Approved"]
    assert "Cite the 2025 standard." in rows[0].body and "Module 3" in rows[1].body
    assert "APP-2" in rows[2].body and rows[2].link == VERSIONS
    page = trainer.get("/my/notifications").get_data(as_text=True)
    headings = re.findall(r"<h2><a [^>]*>([^:<]+):", page)
    assert headings == ["Approved", "Sent back", "Sent back"]  # newest first


def test_an_event_reminder_goes_the_day_before_to_seat_holders_once(
    app, demo, create_user, clock, runner
):
    from lms.events.operations import create_event, get_event
    from lms.events.registration import register

    app.config["LMS_BASE_URL"] = "https://lms.example.org"
    trainer = create_user(role="trainer")
    seated, waiting = create_user(), create_user()
    starts = clock().replace(hour=14, minute=0) + timedelta(days=3)
    with app.app_context():
        event = create_event(
            trainer.id,
            {
                "title": "Drying workshop",
                "description": "",
                "place": "Hall 2",
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=3),
                "credits": Decimal("1"),
                "hours": Decimal("3"),
                "credit_unit": "CEC",
                "category": "general",
                "capacity": 1,
                "certification_codes": [],
                "time_zone": None,
            },
            clock(),
        )
        event_id = event.id
        register(get_event(event_id), seated.id, clock())
        register(get_event(event_id), waiting.id, clock())

    def run(day: date) -> None:
        result = runner.invoke(args=["send-reminders", "--today", day.isoformat()])
        assert result.exit_code == 0, result.output

    run(starts.date() - timedelta(days=2))  # two days before: nothing yet
    assert [r for r in _rows(app, seated.id) if r.kind == "event-reminder"] == []
    run(starts.date() - timedelta(days=1))
    run(starts.date() - timedelta(days=1))  # cron twice, or on two hosts: once
    rows = [r for r in _rows(app, seated.id) if r.kind == "event-reminder"]
    assert len(rows) == 1 and "Drying workshop" in rows[0].title
    assert rows[0].link == f"/events/{event_id}"
    assert len(_outbox(app, seated.email)) == 1
    (body,) = _sent_bodies(app, seated.email)  # sent: the outbox keeps no copy of what it said
    assert f"https://lms.example.org/events/{event_id}" in body
    assert "https://lms.example.org/notifications/preferences/" in body
    assert _rows(app, waiting.id) == []  # the waitlist has no seat to be reminded of


def test_an_instructors_answer_is_ready_for_the_ask_feature(app, demo, create_user, clock):
    from lms.db import session
    from lms.notifications.messages import instructor_answered

    user = create_user()
    with app.app_context():
        for _ in range(2):  # the same answer saved twice: notified once
            instructor_answered(
                learner_id=user.id,
                answer_id=7,
                course_title="Water damage basics",
                instructor_name="Dana Trainer",
                answer="Use a thermo-hygrometer.",
                endpoint="lms.catalogue.course",
                values={"slug": DEMO_SLUG},
                now=clock(),
            )
        session().commit()
    rows = _rows(app, user.id)
    assert len(rows) == 1 and rows[0].kind == "instructor-answer"
    assert "thermo-hygrometer" in rows[0].body and rows[0].link == f"/courses/{DEMO_SLUG}"


def test_turning_email_off_keeps_the_notification_in_app(app, learner):
    user, web = learner
    page = web.get("/my/notifications/preferences").get_data(as_text=True)
    assert "password reset" in page.lower()  # security mails are not optional
    data = {
        "email_claim_decided": "y",
        "email_course_reviewed": "y",
        "email_event_reminder": "y",
        "email_instructor_answer": "y",
    }  # certificate-issued left unchecked
    saved = web.submit("/my/notifications/preferences", data)
    assert saved.status_code == 302
    page = web.get("/my/notifications/preferences").get_data(as_text=True)
    boxes = {name: tag for tag, name in re.findall(r'(<input[^>]*id="email_(\w+)"[^>]*>)', page)}
    assert "checked" not in boxes["certificate_issued"] and "checked" in boxes["claim_decided"]

    _pass_demo_course(app, web)
    assert [r.kind for r in _rows(app, user.id)] == ["certificate-issued"]
    assert [m for m in _outbox(app, user.email) if "certificate" in m.subject.lower()] == []


def test_the_link_in_an_email_changes_preferences_without_signing_in(app, learner, clock):
    user, web = learner
    _pass_demo_course(app, web)
    mail = _outbox(app, user.email)[-1]
    link = next(u for u in LINK_RE.findall(mail.body) if "/notifications/preferences/" in u)
    path = "/" + link.split("/", 3)[3]

    stranger = Web(app.test_client())  # not signed in: the token names the person
    page = stranger.get(path)
    assert page.status_code == 200 and "E-mail preferences" in page.get_data(as_text=True)
    assert _rows(app, user.id)[0].read_at is None  # opening the link changed nothing
    saved = stranger.submit(path, {"email_claim_decided": "y"})
    assert saved.status_code == 302
    from lms.notifications.operations import email_preferences

    with app.app_context():
        chosen = email_preferences(user.id)
    assert chosen["claim-decided"] and not chosen["certificate-issued"]

    assert stranger.get(path[:-3] + "xyz").status_code == 404  # tampered
    assert stranger.get("/notifications/preferences/nonsense").status_code == 404
    clock.advance(days=91)  # expired
    assert stranger.get(path).status_code == 404


def test_the_page_lists_newest_first_a_page_at_a_time(app, learner, clock):
    user, web = learner
    _notify_many(app, user.id, 25, clock)
    first = web.get("/my/notifications").get_data(as_text=True)
    titles = re.findall(r"<h2><a [^>]*>Answer number (\d+)", first)
    assert titles == [str(n) for n in range(24, 4, -1)]  # 20 a page, newest first
    second = web.get("/my/notifications?page=2").get_data(as_text=True)
    assert re.findall(r"<h2><a [^>]*>Answer number (\d+)", second) == ["4", "3", "2", "1", "0"]
    assert web.get("/my/notifications?page=3").status_code == 404
    assert web.get("/my/notifications?page=x").status_code == 400


def test_mark_read_and_mark_all_read_clear_the_badge(app, learner, clock):
    user, web = learner
    _notify_many(app, user.id, 3, clock)
    assert 'class="notify-count">3<' in web.get("/my/notifications").get_data(as_text=True)
    newest = _rows(app, user.id)[-1]
    done = web.submit(
        "/my/notifications",
        {"next": "/my/notifications"},
        action=f"/my/notifications/{newest.id}/read",
    )
    assert done.status_code == 302
    again = web.submit("/my/notifications", action=f"/my/notifications/{newest.id}/read")
    assert again.status_code == 302  # a double click: counted once
    assert 'class="notify-count">2<' in web.get("/my/notifications").get_data(as_text=True)
    web.submit("/my/notifications", action="/my/notifications/read-all")
    page = web.get("/my/notifications").get_data(as_text=True)
    assert "notify-count" not in page and "notification-unread" not in page
    assert all(r.read_at is not None for r in _rows(app, user.id))


def test_another_persons_notifications_are_404(app, learner, create_user, clock):
    user, web = learner
    other = create_user()
    _notify_many(app, other.id, 1, clock)
    theirs = _rows(app, other.id)[0]
    assert web.get(f"/my/notifications/{theirs.id}").status_code == 404
    refused = web.submit("/my/notifications", action=f"/my/notifications/{theirs.id}/read")
    assert refused.status_code == 404
    assert _rows(app, other.id)[0].read_at is None
    assert "Answer number" not in web.get("/my/notifications").get_data(as_text=True)
    assert web.get("/my/notifications/99999999999").status_code == 404
    # Signed out: the page asks to sign in.
    assert Web(app.test_client()).get("/my/notifications").status_code == 302


def test_the_badge_costs_no_statement_and_shows_99_plus(app, learner, clock):
    user, web = learner
    _notify_many(app, user.id, 120, clock)
    with app.app_context():
        engine = app.extensions["lms"].db.engine
        sent = statements_of(engine, lambda: web.get("/dashboard"))
    # The count comes with the signed-in person's row: nothing reads the notifications.
    assert not [s for s in sent if "lms_notification" in s.statement]
    page = web.get("/dashboard").get_data(as_text=True)
    assert 'class="notify-count">99+<' in page
    web.submit("/my/notifications", action="/my/notifications/read-all")
    assert "notify-count" not in web.get("/dashboard").get_data(as_text=True)


def test_a_notification_needs_a_known_kind(app, create_user, clock):
    from lms.db import session
    from lms.notifications.operations import notify

    user = create_user()
    with app.app_context(), pytest.raises(ValueError):
        notify(
            session(),
            user_id=user.id,
            kind="spam",
            subject_key="x",
            title="t",
            body="",
            now=clock(),
        )
    with app.app_context():
        assert session().scalar(select(func.count()).select_from(_model())) == 0


def _model():
    from lms.notifications.models import Notification

    return Notification


def test_racing_submissions_of_a_pass_notify_once(app, learner):
    user, web = learner
    web.submit(f"/courses/{DEMO_SLUG}", action=f"/courses/{DEMO_SLUG}/enrol")
    complete_modules(web, DEMO_SLUG)
    attempt = start_quiz(web, DEMO_SLUG)
    answers = answer_key(app, DEMO_SLUG)
    tabs = []
    for _ in range(5):  # five tabs of the same person, each with its own form token
        tab = Web(app.test_client())
        tab.login(user.email, user.plain_password)
        tabs.append((tab, tab.token(f"/courses/{DEMO_SLUG}/quiz")))
    barrier = threading.Barrier(len(tabs))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def submit(tab: Web, token: str) -> None:
        try:
            barrier.wait(timeout=10)
            response = tab.client.post(
                f"/courses/{DEMO_SLUG}/quiz/{attempt}", data={"csrf_token": token, **answers}
            )
            statuses.append(response.status_code)
        except BaseException as exc:  # surfaced below, not lost in the thread
            errors.append(exc)

    workers = [threading.Thread(target=submit, args=pair) for pair in tabs]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors and len(statuses) == len(tabs)
    assert [r.kind for r in _rows(app, user.id)] == ["certificate-issued"]
    assert len([m for m in _outbox(app, user.email) if "certificate" in m.subject.lower()]) == 1
    header = web.get("/my/notifications").get_data(as_text=True)
    assert 'class="notify-count">1<' in header  # the unread count moved once too


def test_the_notifications_page_reads_no_table_whole_and_costs_the_same_when_it_grows(
    app, learner, create_user, clock
):
    from tests.query_plans import full_scans

    user, web = learner
    other = create_user()
    _notify_many(app, user.id, 3, clock)
    with app.app_context():
        engine = app.extensions["lms"].db.engine
        few = statements_of(engine, lambda: web.get("/my/notifications?page=1"))
    _notify_many(app, user.id, 60, clock)
    _notify_many(app, other.id, 60, clock)
    with app.app_context():
        many = statements_of(engine, lambda: web.get("/my/notifications?page=2"))
        assert len(many) == len(few)
        assert full_scans(engine, many) == []


def test_the_admins_approval_note_reaches_the_trainer(app, demo, trainer, admin, clock):
    from lms.catalogue.operations import course_version

    trainer.submit(VERSIONS, action=f"/studio/courses/{DEMO_SLUG}/v1/new-version")
    trainer.submit(
        VERSIONS,
        {"credit_reason": "Hands-on practice outside the modules."},
        action=f"/studio/courses/{DEMO_SLUG}/v2/submit",
    )
    with app.app_context():
        course_id = course_version(DEMO_SLUG, 2).id
    page = f"/admin/approvals/{course_id}"
    values = {"number": "APP-9", "approved_on": "2026-03-01", "expires_on": "2028-03-01"}
    too_long = admin.submit(page, {**values, "note": "x" * 2001}, action=f"{page}/approve")
    assert too_long.status_code == 400 and "x" * 2001 in too_long.get_data(as_text=True)
    with app.app_context():
        assert course_version(DEMO_SLUG, 2).status == "submitted"  # nothing written
    note = "Approved for 1 CEC; next time cite the 2025 standard."
    done = admin.submit(page, {**values, "note": note}, action=f"{page}/approve")
    assert done.status_code == 302
    approved = [r for r in _rows(app) if r.kind == "course-reviewed"]
    assert len(approved) == 1 and approved[0].title.startswith("Approved:")
    assert "APP-9" in approved[0].body and note in approved[0].body
    assert note in trainer.get(f"/my/notifications/{approved[0].id}").get_data(as_text=True)


def test_without_a_base_url_in_production_an_email_carries_no_link_from_the_host_header(
    app, create_user
):
    from lms.accounts.models import User
    from lms.db import session
    from lms.notifications import kinds
    from lms.notifications.operations import email_text

    user = create_user()
    app.config["LMS_BASE_URL"] = ""
    app.testing = False
    try:
        with app.test_request_context("/", headers={"Host": "evil.example"}):
            text = email_text(
                session().get(User, user.id),
                kinds.CLAIM_DECIDED,
                "Your claim was approved.",
                "lms.claims.index",
                {},
            )
    finally:
        app.testing = True
    assert "evil.example" not in text and "http" not in text
    assert "sign in and open Notifications" in text
    app.config["LMS_BASE_URL"] = "https://lms.example.org"
    with app.test_request_context("/", headers={"Host": "evil.example"}):
        text = email_text(
            session().get(User, user.id), kinds.CLAIM_DECIDED, "Body", "lms.claims.index", {}
        )
    assert "https://lms.example.org/my/claims" in text and "evil.example" not in text
