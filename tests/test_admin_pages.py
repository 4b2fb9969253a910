"""The admin pages: the approval queue, the certifications catalogue, people and roles, and
that nobody but an admin reaches any of them."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.catalogue.models import Certification, Course, Holding
from lms.catalogue.operations import course_version
from lms.db import session
from lms.studio import lifecycle
from quizzes import Quiz
from tests.conftest import DEMO_SLUG, Web, signed_in
from tests.html_safety import script_hazards

GOOD_APPROVAL = {
    "number": "IICRC-CEC-26-0042",
    "approved_on": "2026-03-01",
    "expires_on": "2027-02-28",
}


def submitted_version(app, clock) -> int:
    """Submit the draft version 2 of the demo course for approval; returns its id."""
    with app.app_context():
        course = course_version(DEMO_SLUG, 2)
        lifecycle.submit(course, clock(), "Hands-on practice makes up the difference.")
        session().commit()
        return course.id


def course_row(app, course_id: int) -> Course:
    with app.app_context():
        course = session().get(Course, course_id)
        session().expunge(course)
        return course


def user_id(app, email: str) -> int:
    with app.app_context():
        return session().scalars(select(User.id).where(User.email == email)).one()


def text_of(response) -> str:
    return response.get_data(as_text=True)


# The approval queue ------------------------------------------------------------------------


def test_the_queue_lists_a_submission_and_approving_it_records_number_dates_and_admin(
    app, admin, draft, clock
):
    course_id = submitted_version(app, clock)
    queue = text_of(admin.get("/admin/approvals"))
    assert "Hot Water Extraction Fundamentals" in queue
    assert f"/admin/approvals/{course_id}" in queue
    assert "Terry Trainer" in queue  # the trainer
    assert "2026-03-02" in queue  # the submission date

    review = text_of(admin.get(f"/admin/approvals/{course_id}"))
    assert "question" in review and "Submitted for approval" in review
    with app.app_context():
        first = course_version(DEMO_SLUG, 1)
        previous_number = first.approval_number
        previous_expiry = first.approval_expires_on.isoformat()
    # Prefilled from version 1's approval, the likely renewal.
    assert f'value="{previous_number}"' in review
    assert f'value="{previous_expiry}"' in review

    response = admin.submit(
        f"/admin/approvals/{course_id}",
        GOOD_APPROVAL,
        action=f"/admin/approvals/{course_id}/approve",
    )
    assert response.status_code == 302, text_of(response)
    course = course_row(app, course_id)
    assert course.status == "approved"
    assert course.approval_number == "IICRC-CEC-26-0042"
    assert course.approved_on == date(2026, 3, 1)
    assert course.approval_expires_on == date(2027, 2, 28)
    assert course.approved_by_id == user_id(app, "admin@example.com")
    assert "No course is waiting for approval." in text_of(admin.get("/admin/approvals"))


def test_approving_twice_the_second_gets_409_and_the_first_stands(
    app, admin, draft, clock, create_user
):
    course_id = submitted_version(app, clock)
    second = create_user(role="admin", name="Second Admin")
    other = signed_in(app, second.email, second.plain_password)
    page = f"/admin/approvals/{course_id}"
    action = f"{page}/approve"
    token = other.token(page)  # the second admin opened the page before the first approved

    assert admin.submit(page, GOOD_APPROVAL, action=action).status_code == 302
    late = other.client.post(
        action,
        data={
            "csrf_token": token,
            **GOOD_APPROVAL,
            "number": "OTHER-1",
            "expires_on": "2030-01-01",
        },
    )
    assert late.status_code == 409
    assert "approved, not yet published" in text_of(late).lower()
    assert 'role="alert"' in text_of(late)
    course = course_row(app, course_id)
    assert course.approval_number == "IICRC-CEC-26-0042"
    assert course.approval_expires_on == date(2027, 2, 28)
    assert course.approved_by_id == user_id(app, "admin@example.com")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"number": ""}, "approval number is required"),
        ({"number": "<b>no</b>"}, "approval number is required"),
        ({"approved_on": "2026-13-01"}, "YYYY-MM-DD"),
        ({"expires_on": "next year"}, "YYYY-MM-DD"),
        ({"approved_on": ""}, "YYYY-MM-DD"),
        ({"expires_on": "2026-02-01"}, "expire after"),
        ({"expires_on": "2026-03-01"}, "expire after"),
        ({"approved_on": "2020-01-01", "expires_on": "2021-01-01"}, "already passed"),
    ],
)
def test_invalid_approval_input_is_refused_with_400_and_nothing_written(
    app, admin, draft, clock, change, message
):
    course_id = submitted_version(app, clock)
    sent = {**GOOD_APPROVAL, **change}
    response = admin.submit(
        f"/admin/approvals/{course_id}", sent, action=f"/admin/approvals/{course_id}/approve"
    )
    body = text_of(response)
    assert response.status_code == 400
    assert message in body
    assert 'role="alert"' in body
    for value in sent.values():  # what the admin typed is kept (escaped)
        assert f'value="{value.replace("<", "&lt;").replace(">", "&gt;")}"' in body
    course = course_row(app, course_id)
    assert course.status == "submitted"
    assert course.approval_number is None and course.approved_by_id is None


def test_sending_back_needs_a_reason_then_returns_the_version_to_draft(app, admin, draft, clock):
    course_id = submitted_version(app, clock)
    page, action = f"/admin/approvals/{course_id}", f"/admin/approvals/{course_id}/send-back"

    for reason in ("", "   \n  "):
        refused = admin.submit(page, {"reason": reason}, action=action)
        assert refused.status_code == 400
        assert "Say what the trainer should change." in text_of(refused)
        assert course_row(app, course_id).status == "submitted"
    too_long = admin.submit(page, {"reason": "x" * 2001}, action=action)
    assert too_long.status_code == 400
    assert course_row(app, course_id).status == "submitted"

    response = admin.submit(page, {"reason": "Module 2 cites a withdrawn standard."}, action=action)
    assert response.status_code == 302
    course = course_row(app, course_id)
    assert course.status == "draft"
    assert course.review_note == "Module 2 cites a withdrawn standard."
    assert course.submitted_at is None

    # Sent back already: neither a second send-back nor an approval moves it again.
    again = admin.submit(page, {"reason": "Twice"}, action=action)
    assert again.status_code == 409
    late = admin.submit(page, GOOD_APPROVAL, action=f"{page}/approve")
    assert late.status_code == 409
    course = course_row(app, course_id)
    assert (course.status, course.review_note) == ("draft", "Module 2 cites a withdrawn standard.")
    assert course.approval_number is None


def test_the_review_page_shows_the_content_read_only_and_sanitized(app, admin, draft, clock):
    course_id = submitted_version(app, clock)
    with app.app_context():
        course = session().get(Course, course_id)
        course.modules[0].body = "Intro <script>alert(1)</script> **bold**"
        session().commit()
        questions = len(session().get(Quiz, course.final_quiz_id).questions)
    page = text_of(admin.get(f"/admin/approvals/{course_id}"))
    assert "<strong>bold</strong>" in page
    assert script_hazards(page) == []
    assert f"{questions} questions" in page


def test_expiring_and_expired_approvals_are_listed_with_their_dates(app, admin, clock):
    with app.app_context():
        soon = sorted(
            lifecycle.expiring_soon(list(session().scalars(select(Course))), clock().date()),
            key=lambda c: c.approval_expires_on,
        )
        assert soon, "the demo data has an approval ending within the warning period"
        title, expires = soon[0].title, soon[0].approval_expires_on
    queue = text_of(admin.get("/admin/approvals"))
    assert title in queue and expires.isoformat() in queue
    assert f"{(expires - clock().date()).days} days left" in queue
    landing = text_of(admin.get("/admin/"))
    assert re.search(r"\b1 approval ends within 60 days", landing), landing

    clock.advance(days=(expires - clock().date()).days + 1)
    queue = text_of(admin.get("/admin/approvals"))
    assert "Expired: no credit is awarded" in queue
    assert "1 has expired" in text_of(admin.get("/admin/"))


def test_the_landing_page_counts_submissions_and_people(app, admin, draft, clock):
    landing = text_of(admin.get("/admin/"))
    assert '<span class="admin-count">0</span> submissions waiting' in landing
    submitted_version(app, clock)
    landing = text_of(admin.get("/admin/"))
    assert '<span class="admin-count">1</span> submission waiting' in landing
    # The demo accounts: two learners, a trainer, an admin.
    for line in ("2 learners", "1 trainer<", "1 admin<"):
        assert line in landing


# Certifications ----------------------------------------------------------------------------

NEW_CERT = {
    "code": "oct",  # stored upper-case
    "name": "Odour Control Technician",
    "credits_required": "4.5",
    "credit_unit": "CEC",
    "cycle_years": "3",
    "minutes_per_credit": "420",
    "credit_step": "0.25",
}


def certification(app, code: str) -> Certification | None:
    with app.app_context():
        found = session().scalars(select(Certification).where(Certification.code == code)).first()
        if found is not None:
            session().expunge(found)
        return found


def certification_count(app) -> int:
    with app.app_context():
        return session().scalar(select(func.count()).select_from(Certification))


def test_creating_a_certification_reads_only_its_fields(app, admin):
    wrt = certification(app, "WRT")
    sent = {**NEW_CERT, "id": str(wrt.id), "role": "admin"}
    response = admin.submit("/admin/certifications/new", sent)
    assert response.status_code == 302, text_of(response)
    created = certification(app, "OCT")
    assert created is not None and created.id != wrt.id
    assert created.name == "Odour Control Technician"
    assert created.credits_required == Decimal("4.5")
    assert (created.cycle_years, created.minutes_per_credit) == (3, 420)
    assert created.credit_step == Decimal("0.25")
    assert certification(app, "WRT").name == wrt.name  # the "id" sent changed nothing
    listing = text_of(admin.get("/admin/certifications"))
    assert "Odour Control Technician" in listing and "4.5 CEC" in listing


@pytest.mark.parametrize(
    "field, value",
    [
        ("code", "X"),
        ("code", "TOO-LONG-AND-DASHED"),
        ("code", "A" * 21),
        ("name", "   "),
        ("name", "Tab\there"),
        ("credits_required", "0"),
        ("credits_required", "-2"),
        ("credits_required", "lots"),
        ("credits_required", "NaN"),
        ("credits_required", "1.234"),
        ("credit_unit", ""),
        ("credit_unit", "-1"),
        ("credit_unit", "CEC!"),
        ("credit_unit", "1e400"),
        ("credit_unit", "C" * 21),
        ("cycle_years", "0"),
        ("cycle_years", "11"),
        ("cycle_years", "2.5"),
        ("cycle_years", "99999999999999999999999"),
        ("cycle_years", "0000099999"),
        ("minutes_per_credit", "0000019999"),
        ("minutes_per_credit", "0"),
        ("minutes_per_credit", "1001"),
        ("minutes_per_credit", "٣"),
        ("credit_step", "0"),
        ("credit_step", "11"),
        ("credit_step", "Infinity"),
    ],
)
def test_invalid_certification_fields_are_refused_and_kept(app, admin, field, value):
    before = certification_count(app)
    response = admin.submit("/admin/certifications/new", {**NEW_CERT, field: value})
    body = text_of(response)
    assert response.status_code == 400
    assert 'role="alert"' in body
    assert f'id="{field}-error"' in body
    other = "minutes_per_credit" if field == "name" else "name"
    assert f'value="{NEW_CERT[other]}"' in body  # what was typed is kept
    assert f'value="{value}"' in body
    assert certification_count(app) == before


@pytest.mark.parametrize("code", ["WRT", "wrt", " Wrt "])
def test_a_duplicate_code_is_refused_with_400_and_nothing_written(app, admin, code):
    before = certification_count(app)
    response = admin.submit("/admin/certifications/new", {**NEW_CERT, "code": code})
    assert response.status_code == 400
    assert "already a certification with the code WRT" in text_of(response)
    assert certification_count(app) == before


def test_a_duplicate_found_only_by_the_database_is_refused_too(app, admin, monkeypatch):
    # Two admins racing: the check before the insert saw no duplicate, the unique index does.
    monkeypatch.setattr("lms.admin.operations._code_taken", lambda code, except_id: False)
    before = certification_count(app)
    response = admin.submit("/admin/certifications/new", {**NEW_CERT, "code": "WRT"})
    assert response.status_code == 400
    assert "already a certification with the code WRT" in text_of(response)
    assert certification_count(app) == before
    cct = certification(app, "CCT")
    edit = admin.submit(f"/admin/certifications/{cct.id}", {**NEW_CERT, "code": "WRT"})
    assert edit.status_code == 400
    assert certification(app, "CCT").name == cct.name


def test_editing_a_certification_saves_and_refuses_a_taken_code(app, admin):
    cct = certification(app, "CCT")
    page = f"/admin/certifications/{cct.id}"
    assert f'value="{cct.name}"' in text_of(admin.get(page))
    changed = {**NEW_CERT, "code": "CCT", "name": "Carpet Cleaning Tech", "role": "admin"}
    assert admin.submit(page, changed).status_code == 302
    saved = certification(app, "CCT")
    assert (saved.id, saved.name, saved.minutes_per_credit) == (
        cct.id,
        "Carpet Cleaning Tech",
        420,
    )

    taken = admin.submit(page, {**changed, "code": "WRT", "name": "Renamed"})
    assert taken.status_code == 400
    assert "already a certification with the code WRT" in text_of(taken)
    assert certification(app, "CCT").name == "Carpet Cleaning Tech"
    invalid = admin.submit(page, {**changed, "cycle_years": "42", "name": "Renamed"})
    assert invalid.status_code == 400
    assert certification(app, "CCT").name == "Carpet Cleaning Tech"


def test_a_certification_in_use_is_not_deleted_an_unused_one_is(app, admin, create_user, clock):
    wrt = certification(app, "WRT")  # demo courses count toward it
    refused = admin.submit(
        f"/admin/certifications/{wrt.id}", action=f"/admin/certifications/{wrt.id}/delete"
    )
    assert refused.status_code == 409
    assert "in use" in text_of(refused)
    assert certification(app, "WRT") is not None

    assert admin.submit("/admin/certifications/new", NEW_CERT).status_code == 302
    oct_id = certification(app, "OCT").id
    holder = create_user()
    with app.app_context():
        session().add(
            Holding(
                user_id=holder.id,
                certification_id=oct_id,
                number="OCT-1",
                certified_on=clock().date(),
                created_at=clock(),
            )
        )
        session().commit()
    held = admin.submit(
        f"/admin/certifications/{oct_id}", action=f"/admin/certifications/{oct_id}/delete"
    )
    assert held.status_code == 409
    assert "1 people hold it" in text_of(held)
    with app.app_context():
        session().query(Holding).delete()
        session().commit()

    deleted = admin.submit(
        f"/admin/certifications/{oct_id}", action=f"/admin/certifications/{oct_id}/delete"
    )
    assert deleted.status_code == 302
    assert certification(app, "OCT") is None


# People and roles --------------------------------------------------------------------------


def add_people(app, clock, count: int, prefix: str = "Person") -> None:
    """Many rows quickly (no password hashing): enough to need a second page."""
    with app.app_context():
        for n in range(count):
            session().add(
                User(
                    name=f"{prefix} {n:03d}",
                    email=f"{prefix.lower()}{n}@example.net",
                    password_hash=None,
                    role="learner",
                    created_at=clock(),
                )
            )
        session().commit()


def rows(page: str) -> list[str]:
    return re.findall(r'<th scope="row">([^<]*)', page)


def test_users_are_listed_with_role_and_join_date_and_searched_by_name_or_email(
    app, admin, create_user, clock
):
    clock.advance(days=3)
    create_user(name="Quentin Quill", email="qq@sample.org")
    page = text_of(admin.get("/admin/users"))
    assert "Quentin Quill" in page and "qq@sample.org" in page and "2026-03-05" in page
    assert "Ada Admin" in page

    by_name = text_of(admin.get("/admin/users?q=quill"))
    assert rows(by_name) == ["Quentin Quill"]
    by_email = text_of(admin.get("/admin/users?q=SAMPLE.ORG"))
    assert rows(by_email) == ["Quentin Quill"]
    # LIKE's wildcards are searched for literally, not as "anything".
    assert rows(text_of(admin.get("/admin/users?q=%25"))) == []
    assert rows(text_of(admin.get("/admin/users?q=_"))) == []


def test_users_are_paginated(app, admin, clock):
    add_people(app, clock, 55)
    first = text_of(admin.get("/admin/users?q=person"))
    assert len(rows(first)) == 50 and "Page 1 of 2" in first
    second = text_of(admin.get("/admin/users?q=person&page=2"))
    assert rows(second) == [f"Person {n:03d}" for n in range(50, 55)]
    assert "Previous page" in second
    for odd in ("abc", "-1", "0", "99999999999999999999", "３"):
        response = admin.get(f"/admin/users?q=person&page={odd}")
        assert response.status_code == 200
        assert len(rows(text_of(response))) in (5, 50)
    assert rows(text_of(admin.get("/admin/users?q=person&page=7"))) == rows(second)


def test_a_role_change_takes_effect_on_the_persons_next_request(app, admin, create_user):
    person = create_user(role="learner")
    their = signed_in(app, person.email, person.plain_password)
    assert their.get("/studio/").status_code == 403

    response = admin.submit(
        "/admin/users", {"role": "trainer"}, action=f"/admin/users/{person.id}/role"
    )
    assert response.status_code == 302
    assert their.get("/studio/").status_code == 200  # the same session, no new sign-in

    admin.submit("/admin/users", {"role": "learner"}, action=f"/admin/users/{person.id}/role")
    assert their.get("/studio/").status_code == 403


@pytest.mark.parametrize("role", ["superuser", "", "Admin", "admin "])
def test_an_unknown_role_is_refused(app, admin, create_user, role):
    person = create_user(role="learner")
    response = admin.submit("/admin/users", {"role": role}, action=f"/admin/users/{person.id}/role")
    assert response.status_code == 400
    assert "The role must be one of learner, trainer, admin." in text_of(response)
    with app.app_context():
        assert session().get(User, person.id).role == "learner"


def test_an_admin_cannot_remove_their_own_admin_role(app, admin, create_user):
    me = user_id(app, "admin@example.com")
    create_user(role="admin")  # even with another admin around
    response = admin.submit("/admin/users", {"role": "learner"}, action=f"/admin/users/{me}/role")
    assert response.status_code == 400
    assert "cannot remove your own admin role" in text_of(response)
    assert 'role="alert"' in text_of(response)
    with app.app_context():
        assert session().get(User, me).role == "admin"
    assert admin.get("/admin/").status_code == 200


def test_the_last_admin_cannot_be_demoted(app, admin, create_user):
    from lms.admin.operations import AdminError, set_role

    other = create_user(role="admin")
    me = user_id(app, "admin@example.com")
    # With two admins, one may demote the other.
    demoted = admin.submit(
        "/admin/users", {"role": "trainer"}, action=f"/admin/users/{other.id}/role"
    )
    assert demoted.status_code == 302
    with app.app_context():
        assert session().get(User, other.id).role == "trainer"
        # Now one admin is left: no one (say, a request racing in from the demoted admin's
        # old page) can take that role away.
        with pytest.raises(AdminError, match="last admin"):
            set_role(session().get(User, me), "learner", acting_admin_id=other.id)
        session().rollback()
        assert session().get(User, me).role == "admin"


def test_hostile_names_are_escaped_on_the_users_page(app, admin, create_user):
    create_user(name="<script>alert(1)</script>", email="hostile@example.org")
    create_user(name='"><img src=x onerror=alert(2)>', email="quote@example.org")
    page = text_of(admin.get("/admin/users"))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert script_hazards(page) == []
    search = text_of(admin.get("/admin/users?q=%3Cscript%3E"))
    assert script_hazards(search) == [] and "&lt;script&gt;" in search


# Who gets in ------------------------------------------------------------------------------


def admin_rules(app) -> list[tuple[str, str]]:
    """Every admin route and method, as (method, path) with existing ids substituted, so a new
    route is covered without touching this test."""
    prefix = app.config["LMS_URL_PREFIX"] + "/admin"
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(prefix):
            continue
        values = {name: 1 for name in rule.arguments}
        assert all(
            type(rule._converters[name]).__name__ == "IntegerConverter" for name in rule.arguments
        ), f"give {rule.rule}'s arguments an existing value here"
        path = rule.build(values)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return found


def test_the_walk_finds_every_admin_page(app):
    paths = {path for _method, path in admin_rules(app)}
    assert {
        "/admin/",
        "/admin/approvals",
        "/admin/approvals/1",
        "/admin/approvals/1/approve",
        "/admin/approvals/1/send-back",
        "/admin/certifications",
        "/admin/certifications/new",
        "/admin/certifications/1",
        "/admin/certifications/1/delete",
        "/admin/users",
        "/admin/users/1/role",
    } <= paths


@pytest.mark.parametrize(
    "who",
    [("learner@example.com", "learner-demo-pass"), ("trainer@example.com", "trainer-demo-pass")],
)
def test_learners_and_trainers_get_403_on_every_admin_route(app, demo, who):
    web = signed_in(app, *who)
    token = web.token("/dashboard")
    before = certification_count(app)
    for method, path in admin_rules(app):
        if method == "GET":
            response = web.get(path)
        else:
            response = web.client.open(
                path,
                method=method,
                data={"csrf_token": token, **NEW_CERT, **GOOD_APPROVAL, "role": "admin"},
            )
        assert response.status_code == 403, (who[0], method, path)
    with app.app_context():
        assert session().get(User, user_id(app, who[0])).role != "admin"
    assert certification_count(app) == before


def test_strangers_are_sent_to_sign_in(app, demo):
    web = Web(app.test_client())
    for method, path in admin_rules(app):
        if method == "GET":
            response = web.get(path)
            assert response.status_code == 302, path
            assert "/login" in response.headers["Location"]


def test_missing_ids_are_404(app, admin, create_user):
    for path in (
        "/admin/approvals/999999",
        "/admin/approvals/99999999999999999999999",
        "/admin/certifications/999999",
        "/admin/certifications/0",
    ):
        assert admin.get(path).status_code == 404, path
    for action in (
        "/admin/approvals/999999/approve",
        "/admin/approvals/999999/send-back",
        "/admin/certifications/999999/delete",
        "/admin/users/999999/role",
        "/admin/users/99999999999999999999/role",
    ):
        response = admin.submit("/admin/users", {"role": "trainer", "reason": "x"}, action=action)
        assert response.status_code == 404, action


def test_admin_pages_have_no_inline_script_or_style(app, admin, draft, clock):
    course_id = submitted_version(app, clock)
    for path in (
        "/admin/",
        "/admin/approvals",
        f"/admin/approvals/{course_id}",
        "/admin/certifications",
        "/admin/certifications/new",
        "/admin/users",
    ):
        page = text_of(admin.get(path))
        assert "<script>" not in page and "style=" not in page, path  # time_zone.js is ours (src)
        assert script_hazards(page) == [], path
        own = page.split("<h2>Summary</h2>")[0]  # not the trainer's Markdown (its tables)
        assert re.search(r"<th(?=[\s>])(?![^>]*scope)", own) is None, path
