"""Mass assignment: real forms posted with extra fields (role, user and owner ids, score,
credits, states, reviewers, ids) store only what the form is for. The role stays learner, the
score is computed, credits are the course's (the event's, the claim's), the owner is whoever
posted, states move only by their own steps, and nobody else's row changes."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask
from sqlalchemy import func, inspect, select

from certificates.models import Certificate
from lms.accounts.models import User
from lms.catalogue.models import Certification, Course, Holding, Media, Module
from lms.catalogue.operations import course_version
from lms.claims.models import CreditClaim
from lms.credits.models import CreditEntry
from lms.db import session
from lms.events.models import Attendance, Event
from lms.learning.models import Enrolment, ModuleCompletion
from lms.requirements.models import RequirementRule
from lms.studio import lifecycle
from quizzes.models import Attempt, Question, Quiz
from tests.conftest import (
    DEMO_SLUG,
    Clock,
    Web,
    answer_key,
    complete_modules,
    signed_in,
    start_quiz,
    wrong_key,
)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def smuggled(other_id: int, *, real: set[str] | frozenset[str] = frozenset()) -> dict[str, str]:
    """Fields no form of ours offers, aimed at someone else's row and at privileged columns;
    ``real`` are the form's own fields, left out so the form stays what a browser sends."""
    other = str(other_id)
    fields = {
        "role": "admin",
        "is_admin": "1",
        "admin": "1",
        "id": other,
        "user_id": other,
        "owner_id": other,
        "created_by": other,
        "created_by_id": other,
        "reviewer_id": other,
        "approved_by_id": other,
        "recorded_by_id": other,
        "uploaded_by_id": other,
        "enrolment_id": other,
        "course_id": other,
        "quiz_id": other,
        "external_id": "smuggled",
        "score": "100",
        "max_score": "1",
        "passed": "1",
        "state": "graded",
        "status": "approved",
        "approved": "1",
        "verification": "verified",
        "credits": "99",
        "hours": "99",
        "version": "9",
        "position": "1",
        "slug": DEMO_SLUG,
        "completed_at": "2026-01-01 00:00:00",
        "created_at": "2020-01-01 00:00:00",
        "approval_number": "SMUGGLED-1",
        "checkin_code": "AAAAAAAA",
        "confirmed_at": "2026-01-01 00:00:00",
        "password_hash": "smuggled",
    }
    return {name: value for name, value in fields.items() if name not in real}


def columns(row: Any) -> dict[str, Any]:
    return {attr.key: getattr(row, attr.key) for attr in inspect(type(row)).column_attrs}


def rows(app: Flask, model: type, *where: Any) -> list[dict[str, Any]]:
    """Every row of ``model`` (matching ``where``) as a dict of its columns, by id."""
    with app.app_context():
        query = select(model).where(*where).order_by(model.id)  # type: ignore[attr-defined]
        found = [columns(row) for row in session().scalars(query)]
        session().remove()
        return found


def one(app: Flask, model: type, *where: Any) -> dict[str, Any]:
    found = rows(app, model, *where)
    assert len(found) == 1, found
    return found[0]


def count(app: Flask, model: type, *where: Any) -> int:
    with app.app_context():
        return session().scalar(select(func.count()).select_from(model).where(*where)) or 0


def user_id(app: Flask, email: str) -> int:
    return one(app, User, User.email == email)["id"]


def person(app: Flask, create_user: Callable[..., Any], role: str = "learner") -> tuple[Web, int]:
    user = create_user(role=role)
    return signed_in(app, user.email, user.plain_password), user.id


def redirected(response: Any) -> None:
    assert response.status_code == 302, response.get_data(as_text=True)


# People --------------------------------------------------------------------------------------


def test_sign_up_ignores_role_ids_and_the_stored_hash(app: Flask, demo: None) -> None:
    admin_id = user_id(app, "admin@example.com")
    admin_before = one(app, User, User.id == admin_id)
    web = Web(app.test_client())
    form = {
        "name": "Mallory Signup",
        "email": "mallory@example.org",
        "password": "a long enough password",
        "confirm": "a long enough password",
    }
    redirected(web.submit("/register", {**form, **smuggled(admin_id, real=set(form))}))
    mallory = one(app, User, User.email == "mallory@example.org")
    assert mallory["role"] == "learner"
    assert mallory["id"] != admin_id and mallory["external_id"] is None
    assert mallory["password_hash"] != "smuggled" and mallory["name"] == "Mallory Signup"
    assert one(app, User, User.id == admin_id) == admin_before
    assert "/admin" not in web.get("/dashboard").get_data(as_text=True)
    assert web.get("/admin/").status_code == 403


def test_the_password_form_changes_nothing_but_the_password(
    app: Flask, demo: None, create_user: Callable[..., Any]
) -> None:
    user = create_user(name="Pat Profile", email="pat@example.org")
    other = create_user(name="Other Person", email="other@example.org")
    other_before = one(app, User, User.id == other.id)
    web = signed_in(app, user.email, user.plain_password)
    before = one(app, User, User.id == user.id)
    form = {
        "current_password": user.plain_password,
        "password": "a brand new password",
        "confirm": "a brand new password",
    }
    extra = {**smuggled(other.id, real=set(form)), "name": "Renamed", "email": "taken@example.org"}
    redirected(web.submit("/account/password", {**form, **extra}))
    after = one(app, User, User.id == user.id)
    assert after["password_hash"] != before["password_hash"]  # the form did its job
    assert {k: v for k, v in after.items() if k != "password_hash"} == {
        k: v for k, v in before.items() if k != "password_hash"
    }
    assert one(app, User, User.id == other.id) == other_before


def test_an_admin_role_change_touches_only_the_person_in_the_address(
    app: Flask, admin: Web, create_user: Callable[..., Any]
) -> None:
    target = create_user()
    bystander = create_user()
    bystander_before = one(app, User, User.id == bystander.id)
    sent = {"role": "trainer", **smuggled(bystander.id, real={"role"})}
    redirected(admin.submit("/admin/users", sent, action=f"/admin/users/{target.id}/role"))
    assert one(app, User, User.id == target.id)["role"] == "trainer"
    assert one(app, User, User.id == bystander.id) == bystander_before


# Learning: enrolment, progress, the quiz --------------------------------------------------------


def test_enrolment_and_progress_are_the_posters_own(
    app: Flask, demo: None, create_user: Callable[..., Any]
) -> None:
    victim, victim_id = person(app, create_user)
    web, me = person(app, create_user)
    victim.submit(f"/courses/{DEMO_SLUG}", action=f"/courses/{DEMO_SLUG}/enrol")
    victim_enrolment = one(app, Enrolment, Enrolment.user_id == victim_id)
    sent = smuggled(victim_id) | {"enrolment_id": str(victim_enrolment["id"])}
    redirected(web.submit(f"/courses/{DEMO_SLUG}", sent, action=f"/courses/{DEMO_SLUG}/enrol"))
    mine = one(app, Enrolment, Enrolment.user_id == me)
    assert mine["completed_at"] is None
    assert mine["course_version"] == 1 and mine["course_id"] == course_id(app, DEMO_SLUG, 1)
    assert one(app, Enrolment, Enrolment.user_id == victim_id) == victim_enrolment

    second_module = module_ids(app, DEMO_SLUG, 1)[1]
    sent |= {"module_id": str(second_module)}
    page = f"/courses/{DEMO_SLUG}/modules/1"
    redirected(web.submit(page, sent, action=f"{page}/complete"))
    done = rows(app, ModuleCompletion, ModuleCompletion.enrolment_id == mine["id"])
    assert [c["module_id"] for c in done] == [module_ids(app, DEMO_SLUG, 1)[0]]
    assert (
        rows(app, ModuleCompletion, ModuleCompletion.enrolment_id == victim_enrolment["id"]) == []
    )


def course_id(app: Flask, slug: str, version: int) -> int:
    return one(app, Course, Course.slug == slug, Course.version == version)["id"]


def module_ids(app: Flask, slug: str, version: int) -> list[int]:
    course = course_id(app, slug, version)
    with app.app_context():
        query = select(Module.id).where(Module.course_id == course).order_by(Module.position)
        return list(session().scalars(query))


def _ready_for_the_quiz(app: Flask, create_user: Callable[..., Any]) -> tuple[Web, int, int]:
    web, me = person(app, create_user)
    redirected(web.submit(f"/courses/{DEMO_SLUG}", action=f"/courses/{DEMO_SLUG}/enrol"))
    complete_modules(web, DEMO_SLUG)
    return web, me, start_quiz(web, DEMO_SLUG)


def test_autosave_and_submission_ignore_score_state_and_owner(
    app: Flask, demo: None, create_user: Callable[..., Any]
) -> None:
    victim, victim_id = person(app, create_user)
    web, me, attempt_id = _ready_for_the_quiz(app, create_user)
    control, control_id, control_attempt = _ready_for_the_quiz(app, create_user)
    wrong = wrong_key(app, DEMO_SLUG)
    extra = smuggled(victim_id) | {"deadline": "2099-01-01 00:00:00", "context": "enrolment:999"}
    quiz_page = f"/courses/{DEMO_SLUG}/quiz"

    # Autosave: the answers are saved, nothing else.
    redirected(web.submit(quiz_page, {**wrong, **extra}, action=f"{quiz_page}/{attempt_id}/save"))
    saved = one(app, Attempt, Attempt.id == attempt_id)
    assert saved["state"] == "open" and saved["score"] is None and saved["passed"] is None
    assert saved["user_id"] == me and saved["context"] != "enrolment:999"
    assert saved["deadline"] is None or saved["deadline"].year < 2099
    assert set(saved["responses"]) == {key.removeprefix("q-") for key in wrong}

    # Submission: graded from the answers, exactly like the same answers sent plainly.
    redirected(web.submit(quiz_page, {**wrong, **extra}, action=f"{quiz_page}/{attempt_id}"))
    redirected(control.submit(quiz_page, wrong, action=f"{quiz_page}/{control_attempt}"))
    graded = one(app, Attempt, Attempt.id == attempt_id)
    plain = one(app, Attempt, Attempt.id == control_attempt)
    assert graded["state"] == plain["state"] == "graded"
    assert graded["passed"] is False and graded["score"] == plain["score"] < 100
    assert graded["max_score"] == plain["max_score"] and graded["user_id"] == me
    assert one(app, Enrolment, Enrolment.user_id == me)["completed_at"] is None
    assert count(app, CreditEntry) == 0 and count(app, Certificate) == 0
    assert count(app, Attempt, Attempt.user_id == victim_id) == 0
    assert control_id != me


def test_a_pass_earns_the_courses_credits_not_the_forms(
    app: Flask, demo: None, create_user: Callable[..., Any]
) -> None:
    victim, victim_id = person(app, create_user)
    web, me, attempt_id = _ready_for_the_quiz(app, create_user)
    quiz_page = f"/courses/{DEMO_SLUG}/quiz"
    extra = smuggled(victim_id) | {"credit_unit": "HOURS", "category": "safety", "source": "x"}
    sent = {**answer_key(app, DEMO_SLUG), **extra}
    redirected(web.submit(quiz_page, sent, action=f"{quiz_page}/{attempt_id}"))
    course = one(app, Course, Course.slug == DEMO_SLUG, Course.version == 1)
    entry = one(app, CreditEntry)
    assert entry["user_id"] == me and entry["course_id"] == course["id"]
    assert entry["credits"] == course["credits"] != Decimal("99")
    assert entry["credit_unit"] == course["credit_unit"]
    assert entry["verification"] == "system" and entry["source"] == "online_course"
    assert entry["recorded_by_id"] is None
    assert one(app, Attempt, Attempt.id == attempt_id)["passed"] is True
    assert count(app, Enrolment, Enrolment.user_id == victim_id) == 0


# Holdings and claims --------------------------------------------------------------------------


def test_a_certification_number_is_recorded_for_the_poster(
    app: Flask, demo: None, create_user: Callable[..., Any]
) -> None:
    _victim, victim_id = person(app, create_user)
    web, me = person(app, create_user)
    cct = one(app, Certification, Certification.code == "CCT")["id"]
    form = {"certification_id": str(cct), "number": "CCT 1234", "certified_on": "2024-03-01"}
    redirected(web.submit("/my/certifications", {**form, **smuggled(victim_id, real=set(form))}))
    holding = one(app, Holding)
    assert holding["user_id"] == me and holding["number"] == "CCT 1234"
    assert holding["certified_on"] == date(2024, 3, 1)


CLAIM_FORM = {
    "kind": "course",
    "title": "Water damage restoration workshop",
    "provider": "Restoration Academy",
    "completed_on": "2026-02-20",
    "hours": "7",
    "credits": "1.5",
    "credit_unit": "CEC",
    "category": "technical",
}


def _claim(web: Web, extra: dict[str, str]) -> None:
    data = {**CLAIM_FORM, **extra, "evidence": (io.BytesIO(PDF), "certificate.pdf")}
    redirected(web.submit("/my/claims/new", data, content_type="multipart/form-data"))


def test_a_claim_is_stored_pending_for_the_poster_with_its_own_evidence_facts(
    app: Flask, admin: Web, create_user: Callable[..., Any]
) -> None:
    _victim, victim_id = person(app, create_user)
    web, me = person(app, create_user)
    admin_id = user_id(app, "admin@example.com")
    extra = smuggled(victim_id, real=set(CLAIM_FORM)) | {
        "reviewer_id": str(admin_id),
        "reviewed_at": "2026-03-01 00:00:00",
        "decision_reason": "pre-approved",
        "evidence_type": "text/html",
        "evidence_size": "1",
        "evidence_sha256": "0" * 64,
        "evidence_filename": "evil.html",
    }
    _claim(web, extra)
    claim = one(app, CreditClaim)
    assert claim["user_id"] == me and claim["status"] == "pending"
    assert claim["reviewer_id"] is None and claim["reviewed_at"] is None
    assert claim["decision_reason"] == ""
    assert claim["evidence_type"] == "application/pdf" and claim["evidence_size"] == len(PDF)
    assert claim["evidence_sha256"] != "0" * 64 and claim["evidence_filename"] == "certificate.pdf"
    assert claim["credits"] == Decimal("1.5") and claim["hours"] == Decimal("7")
    assert count(app, CreditEntry) == 0


def test_approving_a_claim_credits_the_claims_own_values(
    app: Flask, admin: Web, create_user: Callable[..., Any]
) -> None:
    _victim, victim_id = person(app, create_user)
    web, me = person(app, create_user)
    _claim(web, {})
    claim = one(app, CreditClaim)
    page = f"/admin/claims/{claim['id']}"
    extra = smuggled(victim_id) | {"credit_unit": "HOURS", "category": "safety"}
    redirected(admin.submit(page, extra, action=f"{page}/approve"))
    entry = one(app, CreditEntry)
    assert entry["user_id"] == me and entry["source_ref"] == f"claim:{claim['id']}"
    assert entry["credits"] == Decimal("1.5") and entry["hours"] == Decimal("7")
    assert entry["credit_unit"] == "CEC" and entry["category"] == "technical"
    assert entry["verification"] == "reviewer"
    assert entry["recorded_by_id"] == user_id(app, "admin@example.com")
    decided = one(app, CreditClaim)
    assert decided["status"] == "approved"
    assert decided["reviewer_id"] == user_id(app, "admin@example.com")


def test_rejecting_a_claim_with_approval_fields_still_rejects_it(
    app: Flask, admin: Web, create_user: Callable[..., Any]
) -> None:
    _victim, victim_id = person(app, create_user)
    web, _me = person(app, create_user)
    _claim(web, {})
    claim = one(app, CreditClaim)
    page = f"/admin/claims/{claim['id']}"
    sent = {"reason": "No attendance record.", **smuggled(victim_id)}
    redirected(admin.submit(page, sent, action=f"{page}/reject"))
    assert one(app, CreditClaim)["status"] == "rejected"
    assert count(app, CreditEntry) == 0


# Events ---------------------------------------------------------------------------------------

EVENT_FORM = {
    "title": "Drying science day",
    "description": "Psychrometry in practice.",
    "place": "Hall 3",
    "starts_at": "2026-03-02T10:00",
    "ends_at": "2026-03-02T16:00",
    "credits": "2",
    "hours": "6",
    "credit_unit": "CEC",
    "category": "technical",
    "certification": ["WRT", "CCT"],
    "capacity": "",
}


def test_an_event_belongs_to_its_creator_and_credits_its_own_values(
    app: Flask, trainer: Web, create_user: Callable[..., Any], clock: Clock
) -> None:
    other_trainer, other_id = person(app, create_user, role="trainer")
    attendee, attendee_id = person(app, create_user)
    _bystander, bystander_id = person(app, create_user)
    trainer_id = user_id(app, "trainer@example.com")
    extra = smuggled(other_id, real=set(EVENT_FORM)) | {"status": "confirmed"}
    response = trainer.submit("/studio/events/new", {**EVENT_FORM, **extra})
    redirected(response)
    event = one(app, Event)
    assert event["owner_id"] == trainer_id and event["status"] == "scheduled"
    assert event["confirmed_at"] is None and event["checkin_code"] != "AAAAAAAA"
    assert event["created_at"] == clock().replace(microsecond=0)
    assert "Drying science day" not in other_trainer.get("/studio/events").get_data(as_text=True)

    # Checking in by code: the person signed in, whatever user id the form names.
    sent = {"code": event["checkin_code"], **smuggled(bystander_id, real={"code"})}
    redirected(attendee.submit("/events/checkin", sent))
    assert [a["user_id"] for a in rows(app, Attendance)] == [attendee_id]

    # Confirming the roster: the event's credits and hours, for the people on it.
    clock.current = datetime(2026, 3, 2, 16, 30)
    page = f"/studio/events/{event['id']}"
    redirected(trainer.submit(page, smuggled(bystander_id), action=f"{page}/confirm"))
    entry = one(app, CreditEntry)
    assert entry["user_id"] == attendee_id and entry["source"] == "event"
    assert entry["credits"] == Decimal("2") and entry["hours"] == Decimal("6")
    assert entry["verification"] == "trainer" and entry["recorded_by_id"] == trainer_id
    assert count(app, CreditEntry, CreditEntry.user_id == bystander_id) == 0


# The studio: courses, modules, questions --------------------------------------------------------


def _course_form(app: Flask, title: str) -> dict[str, Any]:
    cct = one(app, Certification, Certification.code == "CCT")["id"]
    return {
        "title": title,
        "summary": "Finding the source of odours.",
        "provider": "Northfield Restoration Academy",
        "credits": "1.5",
        "certification": [str(cct)],
    }


def test_a_new_course_is_a_draft_of_the_poster_whatever_the_form_says(
    app: Flask, trainer: Web, create_user: Callable[..., Any]
) -> None:
    _other, other_id = person(app, create_user, role="trainer")
    demo_before = rows(app, Course, Course.slug == DEMO_SLUG)
    demo_quiz = demo_before[0]["final_quiz_id"]
    form = _course_form(app, "Odour Control 101")
    extra = smuggled(other_id, real=set(form)) | {
        "status": "published",
        "final_quiz_id": str(demo_quiz),
        "approved_on": "2026-01-01",
        "approval_expires_on": "2030-01-01",
        "published_at": "2026-01-01 00:00:00",
        "credit_unit": "HOURS",
    }
    redirected(trainer.submit("/studio/courses/new", {**form, **extra}))
    course = one(app, Course, Course.slug == "odour-control-101")
    assert course["owner_id"] == user_id(app, "trainer@example.com")
    assert course["status"] == "draft" and course["version"] == 1
    assert course["approval_number"] is None and course["approved_on"] is None
    assert course["approved_by_id"] is None and course["published_at"] is None
    assert course["final_quiz_id"] != demo_quiz and course["credit_unit"] == "CEC"
    assert rows(app, Course, Course.slug == DEMO_SLUG) == demo_before


def test_editing_a_draft_changes_its_fields_only(app: Flask, trainer: Web, draft: str) -> None:
    before = one(app, Course, Course.slug == DEMO_SLUG, Course.version == 2)
    v1_before = one(app, Course, Course.slug == DEMO_SLUG, Course.version == 1)
    other_quiz = v1_before["final_quiz_id"]
    form = {**_course_form(app, "Renamed in the editor"), "pass_percent": "80"}
    extra = smuggled(user_id(app, "admin@example.com"), real=set(form)) | {
        "status": "published",
        "final_quiz_id": str(other_quiz),
        "approved_on": "2026-01-01",
        "approval_expires_on": "2030-01-01",
    }
    redirected(trainer.submit(f"{draft}/edit", {**form, **extra}))
    after = one(app, Course, Course.slug == DEMO_SLUG, Course.version == 2)
    assert after["title"] == "Renamed in the editor"  # the form did its job
    for name in (
        "id",
        "slug",
        "version",
        "status",
        "owner_id",
        "final_quiz_id",
        "approval_number",
        "approved_on",
        "approval_expires_on",
        "approved_by_id",
        "published_at",
        "created_at",
    ):
        assert after[name] == before[name], name
    assert one(app, Course, Course.slug == DEMO_SLUG, Course.version == 1) == v1_before


def test_a_module_form_cannot_attach_someone_elses_file_or_move_the_module(
    app: Flask, trainer: Web, draft: str, create_user: Callable[..., Any]
) -> None:
    other, other_id = person(app, create_user, role="trainer")
    redirected(other.submit("/studio/courses/new", _course_form(app, "Other Course")))
    upload = {
        "title": "Theirs",
        "body": "Their file.",
        "media_url": "",
        "media_minutes": "0",
        "file": (io.BytesIO(PNG), "their-plan.png"),
    }
    page = "/studio/courses/other-course/v1/modules/new"
    redirected(other.submit(page, upload, content_type="multipart/form-data"))
    their_file = one(app, Media)["id"]
    before = {m["id"]: m for m in rows(app, Module)}
    form = {"title": "Edited", "body": "Edited text.", "media_url": "", "media_minutes": "4"}
    extra = smuggled(other_id, real=set(form)) | {
        "media_id": str(their_file),
        "course_id": str(course_id(app, "other-course", 1)),
        "position": "3",
    }
    redirected(trainer.submit(f"{draft}/modules/1/edit", {**form, **extra}))
    edited_id = module_ids(app, DEMO_SLUG, 2)[0]
    after = {m["id"]: m for m in rows(app, Module)}
    assert after[edited_id]["title"] == "Edited"  # the form did its job
    for name in ("media_id", "course_id", "position"):
        assert after[edited_id][name] == before[edited_id][name], name
    assert {k: v for k, v in after.items() if k != edited_id} == {
        k: v for k, v in before.items() if k != edited_id
    }
    assert one(app, Media)["uploaded_by_id"] == other_id


def test_the_question_editor_keeps_a_question_in_its_own_quiz_and_place(
    app: Flask, trainer: Web, draft: str
) -> None:
    v1 = one(app, Course, Course.slug == DEMO_SLUG, Course.version == 1)
    v2 = one(app, Course, Course.slug == DEMO_SLUG, Course.version == 2)
    v1_questions = rows(app, Question, Question.quiz_id == v1["final_quiz_id"])
    v2_count = count(app, Question, Question.quiz_id == v2["final_quiz_id"])
    form = {
        "title": "Relative humidity",
        "prompt": "Is relative humidity absolute?",
        "points": "2",
        "explanation": "It is relative.",
        "pool": "Basics",
        "tags": "air",
        "answer": "false",
        "feedback_true": "",
        "feedback_false": "",
    }
    extra = smuggled(v1_questions[0]["id"], real=set(form)) | {
        "quiz_id": str(v1["final_quiz_id"]),
        "position": "1",
        "qtype": "single",
        "config": '{"answer": true}',
    }
    page = f"{draft}/quiz/questions/new?type=truefalse"
    redirected(trainer.submit(page, {**form, **extra}))
    new = one(app, Question, Question.title == "Relative humidity")
    assert new["quiz_id"] == v2["final_quiz_id"] and new["qtype"] == "truefalse"
    assert new["position"] == v2_count + 1 and new["id"] != v1_questions[0]["id"]
    correct = {c["id"]: c["correct"] for c in new["config"]["choices"]}
    assert correct == {"true": False, "false": True}  # the form's answer, not the smuggled one

    edit = f"{draft}/quiz/questions/{new['id']}/edit"
    redirected(trainer.submit(edit, {**form, "title": "Renamed", **extra}))
    edited = one(app, Question, Question.id == new["id"])
    assert edited["title"] == "Renamed"  # the form did its job
    for name in ("id", "quiz_id", "position", "qtype"):
        assert edited[name] == new[name], name
    assert rows(app, Question, Question.quiz_id == v1["final_quiz_id"]) == v1_questions


def test_quiz_settings_change_this_quizs_settings_only(
    app: Flask, trainer: Web, draft: str
) -> None:
    v1 = one(app, Course, Course.slug == DEMO_SLUG, Course.version == 1)
    v2 = one(app, Course, Course.slug == DEMO_SLUG, Course.version == 2)
    quiz_before = one(app, Quiz, Quiz.id == v2["final_quiz_id"])
    v1_quiz = one(app, Quiz, Quiz.id == v1["final_quiz_id"])
    form = {
        "title": quiz_before["title"],
        "pass_percent": "85",
        "max_attempts": "",
        "cooldown_minutes": "0",
        "grading_method": "highest",
        "time_limit_minutes": "",
        "review_shows": quiz_before["review_shows"],
        "review_when": quiz_before["review_when"],
    }
    extra = smuggled(v1["final_quiz_id"], real=set(form)) | {"quiz_id": str(v1["final_quiz_id"])}
    redirected(trainer.submit(f"{draft}/quiz", {**form, **extra}, action=f"{draft}/quiz/settings"))
    after = one(app, Quiz, Quiz.id == v2["final_quiz_id"])
    assert after["pass_percent"] == 85  # the form did its job
    assert after["id"] == quiz_before["id"] and after["created_at"] == quiz_before["created_at"]
    assert one(app, Quiz, Quiz.id == v1["final_quiz_id"]) == v1_quiz


# Admin forms: approvals, requirement rules, certifications, the ledger ---------------------------


def test_an_approval_records_the_acting_admin_and_changes_no_other_field(
    app: Flask, admin: Web, draft: str, clock: Clock, create_user: Callable[..., Any]
) -> None:
    _other, other_id = person(app, create_user, role="admin")
    with app.app_context():
        course = course_version(DEMO_SLUG, 2)
        lifecycle.submit(course, clock(), "Hands-on practice makes up the difference.")
        session().commit()
        submitted_id = course.id
    before = one(app, Course, Course.id == submitted_id)
    form = {"number": "IICRC-CEC-26-0042", "approved_on": "2026-03-01", "expires_on": "2027-02-28"}
    extra = smuggled(other_id, real=set(form)) | {
        "status": "published",
        "published_at": "2026-03-01 00:00:00",
        "approval_number": "SMUGGLED-2",
    }
    page = f"/admin/approvals/{submitted_id}"
    redirected(admin.submit(page, {**form, **extra}, action=f"{page}/approve"))
    after = one(app, Course, Course.id == submitted_id)
    assert after["status"] == "approved" and after["approval_number"] == "IICRC-CEC-26-0042"
    assert after["approved_by_id"] == user_id(app, "admin@example.com")
    assert after["published_at"] is None
    for name in ("owner_id", "credits", "slug", "version", "final_quiz_id", "credit_unit"):
        assert after[name] == before[name], name


def test_sending_back_returns_the_version_to_draft_whatever_the_form_says(
    app: Flask, admin: Web, draft: str, clock: Clock
) -> None:
    with app.app_context():
        course = course_version(DEMO_SLUG, 2)
        lifecycle.submit(course, clock(), "Hands-on practice makes up the difference.")
        session().commit()
        submitted_id = course.id
    before = one(app, Course, Course.id == submitted_id)
    page = f"/admin/approvals/{submitted_id}"
    other = user_id(app, "learner@example.com")
    sent = {"reason": "Add a module on safety.", **smuggled(other, real={"reason"})}
    redirected(admin.submit(page, sent, action=f"{page}/send-back"))
    after = one(app, Course, Course.id == submitted_id)
    assert after["status"] == "draft" and after["review_note"] == "Add a module on safety."
    assert after["submitted_at"] is None  # the step did its job, and nothing else changed:
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"status", "review_note", "submitted_at"}, changed


def test_a_rule_version_is_written_by_the_admin_with_the_rules_identity(
    app: Flask, admin: Web, create_user: Callable[..., Any]
) -> None:
    _other, other_id = person(app, create_user, role="admin")
    before = rows(app, RequirementRule)
    form = {
        "name": "Carpet Cleaning Technician",
        "credits_required": "3",
        "credit_unit": "CEC",
        "hours_per_unit": "1",
        "cycle_months": "24",
        "effective_from": "2026-04-01",
        "category-0": "",
        "minimum-0": "",
        "cap-source-0": "",
        "cap-per-0": "each",
        "cap-max-0": "",
    }
    extra = smuggled(other_id, real=set(form)) | {
        "code": "WRT",
        "anchor": "enrolled_on",
        "pooled": "1",
        "certification-WRT": "on",
        "created_at": "2020-01-01 00:00:00",
    }
    response = admin.submit("/admin/rules/new?code=CCT", {**form, **extra})
    redirected(response)
    after = rows(app, RequirementRule)
    assert after[: len(before)] == before
    [new] = after[len(before) :]
    newest_cct = [r for r in before if r["code"] == "CCT"][-1]
    assert new["code"] == "CCT" and new["anchor"] == "certified_on"
    assert new["pooled"] == newest_cct["pooled"]
    assert new["certification_codes"] == newest_cct["certification_codes"]
    assert new["created_by_id"] == user_id(app, "admin@example.com")
    assert new["created_at"].year == 2026


def test_a_new_certification_gets_its_own_row(app: Flask, admin: Web) -> None:
    before = rows(app, Certification)
    form = {
        "code": "OCT",
        "name": "Odour Control Technician",
        "credits_required": "4.5",
        "credit_unit": "CEC",
        "cycle_years": "3",
        "minutes_per_credit": "420",
        "credit_step": "0.25",
    }
    redirected(admin.submit("/admin/certifications/new", {**form, **smuggled(before[0]["id"])}))
    after = rows(app, Certification)
    assert after[: len(before)] == before
    [new] = after[len(before) :]
    assert new["code"] == "OCT" and new["id"] not in {c["id"] for c in before}


def test_a_ledger_reversal_mirrors_the_entry_it_reverses(
    app: Flask, admin: Web, create_user: Callable[..., Any]
) -> None:
    _victim, victim_id = person(app, create_user)
    web, me = person(app, create_user)
    _claim(web, {})
    claim_id = one(app, CreditClaim)["id"]
    page = f"/admin/claims/{claim_id}"
    redirected(admin.submit(page, action=f"{page}/approve"))
    entry = one(app, CreditEntry)
    ledger = f"/admin/users/{me}/ledger"
    sent = {"reason": "Entered twice.", **smuggled(victim_id, real={"reason"})}
    sent |= {"reverses_id": "999", "credit_unit": "HOURS"}
    redirected(admin.submit(ledger, sent, action=f"{ledger}/{entry['id']}/reverse"))
    reversal = one(app, CreditEntry, CreditEntry.reverses_id.is_not(None))
    assert reversal["reverses_id"] == entry["id"] and reversal["user_id"] == me
    assert reversal["credits"] == -entry["credits"] and reversal["hours"] == -entry["hours"]
    assert reversal["credit_unit"] == entry["credit_unit"]
    assert reversal["recorded_by_id"] == user_id(app, "admin@example.com")
    assert count(app, CreditEntry, CreditEntry.user_id == victim_id) == 0
