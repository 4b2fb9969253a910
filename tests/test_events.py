"""Events: creating one, check-in by code and by the QR's signed link, the roster and its
confirmation (each attendee credited once), and who may see what."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from lms.credits.models import CreditEntry
from lms.events.models import Attendance, Event
from lms.events.operations import CODE_ALPHABET
from tests.conftest import Clock, Web, signed_in

# The clock starts at 2026-03-02 09:00; the event runs 10:00 to 16:00 that day, check-in opens
# an hour before and closes (with the QR link) an hour after.


def event_form(**changes: Any) -> dict[str, Any]:
    values = {
        "title": "Drying science day",
        "description": "Psychrometry in **practice**.",
        "place": "Hall 3, Expo Centre",
        "starts_at": "2026-03-02T10:00",
        "ends_at": "2026-03-02T16:00",
        "credits": "2",
        "hours": "6",
        "credit_unit": "CEC",
        "category": "technical",
        "certification": ["WRT", "CCT"],
        "capacity": "",
    }
    values.update(changes)
    return values


def the_event_started(app: Flask) -> None:
    """Move the app's clock to the event's start: a roster is confirmed once it took place."""
    app.extensions["lms"].clock.current = datetime(2026, 3, 2, 10, 0)


def create_event(web: Web, **changes: Any) -> int:
    response = web.submit("/studio/events/new", event_form(**changes))
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def event_of(app: Flask, event_id: int) -> Event:
    with app.app_context():
        db = app.extensions["lms"].db.session
        event = db.get(Event, event_id)
        db.expunge(event)
        return event


def attendances(app: Flask, event_id: int) -> list[Attendance]:
    with app.app_context():
        db = app.extensions["lms"].db.session
        rows = list(
            db.scalars(select(Attendance).where(Attendance.event_id == event_id).order_by("id"))
        )
        for row in rows:
            db.expunge(row)
        return rows


def entries(app: Flask) -> list[CreditEntry]:
    with app.app_context():
        db = app.extensions["lms"].db.session
        rows = list(db.scalars(select(CreditEntry).order_by(CreditEntry.id)))
        for row in rows:
            db.expunge(row)
        return rows


def checkin_link(trainer: Web, event_id: int) -> str:
    page = trainer.get(f"/studio/events/{event_id}").get_data(as_text=True)
    match = re.search(r'href="https?://[^/"]+(/events/checkin/[^"]+)"', page)
    assert match, "the event page shows no check-in link"
    return html.unescape(match.group(1))


def check_in_by_code(web: Web, code: str):  # noqa: ANN201
    return web.submit("/events/checkin", {"code": code})


@pytest.fixture
def learner(app: Flask, demo: None) -> Web:
    return signed_in(app, "learner@example.com", "learner-demo-pass")


@pytest.fixture
def learners(app: Flask, create_user: Callable[..., Any]) -> Callable[[int], list[Web]]:
    def make(n: int) -> list[Web]:
        people = [create_user() for _ in range(n)]
        return [signed_in(app, p.email, p.plain_password) for p in people]

    return make


# Creating --------------------------------------------------------------------------------


def test_trainer_creates_an_event(app: Flask, trainer: Web) -> None:
    event_id = create_event(trainer, capacity="40")
    event = event_of(app, event_id)
    assert event.title == "Drying science day" and event.place == "Hall 3, Expo Centre"
    assert event.starts_at == datetime(2026, 3, 2, 10) and event.ends_at == datetime(2026, 3, 2, 16)
    assert event.credits == Decimal("2.00") and event.hours == Decimal("6.00")
    assert event.category == "technical" and event.capacity == 40
    assert sorted(event.certification_codes) == ["CCT", "WRT"]
    assert event.status == "scheduled"
    assert len(event.checkin_code) == 8 and set(event.checkin_code) <= set(CODE_ALPHABET)
    page = trainer.get(f"/studio/events/{event_id}").get_data(as_text=True)
    assert event.checkin_code in page
    assert 'src="data:image/png;base64,' in page  # the QR code, allowed by the CSP
    assert "/events/checkin/" in page
    assert "style=" not in page and "<script>" not in page  # time_zone.js is ours (src)
    assert "Drying science day" in trainer.get("/studio/events").get_data(as_text=True)


def test_codes_are_unique_and_a_collision_is_retried(
    app: Flask, trainer: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = create_event(trainer)
    taken = event_of(app, first).checkin_code
    import lms.events.operations as ops

    codes = iter([taken, taken, "ABCDEFGH"])
    monkeypatch.setattr(ops, "new_checkin_code", lambda: next(codes))
    second = create_event(trainer, title="Second day")
    assert event_of(app, second).checkin_code == "ABCDEFGH"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_at": "2026-03-02T10:00"}, "The end must be after the start."),
        ({"ends_at": "2026-03-01T16:00"}, "The end must be after the start."),
        ({"ends_at": "2026-05-02T16:00"}, "at most 31 days"),
        ({"starts_at": "tomorrow"}, "as a date and time"),
        ({"starts_at": "2026-03-02T10:00+02:00"}, "as a date and time"),
        ({"starts_at": "9999-01-01T10:00"}, "as a date and time"),
        ({"credits": "0"}, "more than 0"),
        ({"credits": "1.001"}, "two decimals"),
        ({"hours": "x"}, "must be a number"),
        ({"capacity": "0"}, "whole number"),
        ({"capacity": "-3"}, "whole number"),
        ({"capacity": "2.5"}, "whole number"),
        ({"capacity": "9" * 30}, "whole number"),
        ({"certification": ["NOPE"]}, "from the list"),
        ({"certification": []}, "Choose the certifications"),
        ({"credit_unit": "PDH"}, "from the list"),
        ({"title": ""}, "Give the title"),
        ({"place": ""}, "Give the place"),
    ],
)
def test_bad_event_values_are_400(
    app: Flask, trainer: Web, changes: dict[str, Any], message: str
) -> None:
    response = trainer.submit("/studio/events/new", event_form(**changes))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        db = app.extensions["lms"].db.session
        assert db.scalar(select(func.count()).select_from(Event)) == 0


def test_every_field_of_the_event_form_is_labelled(trainer: Web) -> None:
    page = trainer.get("/studio/events/new").get_data(as_text=True)
    ids = re.findall(r'<(?:input(?![^>]*type="hidden")|select|textarea)[^>]*\bid="([^"]+)"', page)
    assert len(ids) >= 11
    for field_id in ids:
        assert f'for="{field_id}"' in page
    assert "style=" not in page


# Access ----------------------------------------------------------------------------------


def test_learners_get_403_on_the_studio_event_pages(app: Flask, trainer: Web, learner: Web) -> None:
    event_id = create_event(trainer)
    token = learner.token("/events/checkin")
    for path in ("/studio/events", "/studio/events/new", f"/studio/events/{event_id}"):
        assert learner.get(path).status_code == 403
    for action in ("confirm", "cancel", "attendees"):
        response = learner.client.post(
            f"/studio/events/{event_id}/{action}",
            data={"csrf_token": token, "email": "learner@example.com"},
        )
        assert response.status_code == 403
    assert event_of(app, event_id).status == "scheduled"
    anonymous = app.test_client()
    assert anonymous.get("/studio/events").status_code == 302
    assert anonymous.get("/events/checkin").status_code == 302


def test_other_trainers_get_404_on_the_event_pages(
    app: Flask, trainer: Web, other_trainer: Web, admin: Web, learner: Web
) -> None:
    event_id = create_event(trainer)
    assert check_in_by_code(learner, event_of(app, event_id).checkin_code).status_code == 302
    [attendance] = attendances(app, event_id)
    token = other_trainer.token("/studio/events/new")
    assert other_trainer.get(f"/studio/events/{event_id}").status_code == 404
    for action in ("confirm", "cancel", "attendees", f"attendees/{attendance.id}/remove"):
        response = other_trainer.client.post(
            f"/studio/events/{event_id}/{action}",
            data={"csrf_token": token, "email": "graduate@example.com"},
        )
        assert response.status_code == 404, action
    assert "Drying science day" not in other_trainer.get("/studio/events").get_data(as_text=True)
    assert other_trainer.get("/studio/events/99999999999").status_code == 404
    assert event_of(app, event_id).status == "scheduled"
    assert len(attendances(app, event_id)) == 1 and not attendances(app, event_id)[0].removed
    # Administrators see every event.
    assert admin.get(f"/studio/events/{event_id}").status_code == 200


# Check-in by code ----------------------------------------------------------------------


def test_check_in_by_code(app: Flask, trainer: Web, learner: Web) -> None:
    event_id = create_event(trainer)
    code = event_of(app, event_id).checkin_code
    typed = f" {code[:4].lower()}-{code[4:].lower()} "  # as people type it
    response = check_in_by_code(learner, typed)
    assert response.status_code == 302
    assert "You are checked in" in learner.get("/events/checkin").get_data(as_text=True)
    [attendance] = attendances(app, event_id)
    assert attendance.method == "code" and attendance.checked_in_at == datetime(2026, 3, 2, 9)
    roster = trainer.get(f"/studio/events/{event_id}").get_data(as_text=True)
    assert "Lee Learner" in roster and "learner@example.com" in roster


def test_a_wrong_code_is_refused(app: Flask, trainer: Web, learner: Web) -> None:
    create_event(trainer)
    for code in ("ZZZZZZZZ", "short", "", "x" * 5000):
        response = check_in_by_code(learner, code)
        assert response.status_code == 400
        assert "There is no event with that check-in code" in response.get_data(as_text=True)
    with app.app_context():
        db = app.extensions["lms"].db.session
        assert db.scalar(select(func.count()).select_from(Attendance)) == 0


def test_check_in_twice_is_one_attendance_and_one_credit(
    app: Flask, trainer: Web, learner: Web
) -> None:
    event_id = create_event(trainer)
    code = event_of(app, event_id).checkin_code
    assert check_in_by_code(learner, code).status_code == 302
    again = check_in_by_code(learner, code)
    assert again.status_code == 302
    assert "You are already checked in" in learner.get("/events/checkin").get_data(as_text=True)
    link = checkin_link(trainer, event_id)
    assert learner.submit(link).status_code == 302  # and once more by QR
    assert len(attendances(app, event_id)) == 1
    page = f"/studio/events/{event_id}"
    the_event_started(app)
    assert trainer.submit(page, action=f"{page}/confirm").status_code == 302
    [entry] = entries(app)
    assert entry.source == "event" and entry.verification == "trainer"


def test_check_in_window(app: Flask, clock: Clock, trainer: Web, learner: Web) -> None:
    event_id = create_event(trainer)
    code = event_of(app, event_id).checkin_code
    clock.current = datetime(2026, 3, 2, 8, 59)
    early = check_in_by_code(learner, code)
    assert early.status_code == 400
    assert "opens at 2 March 2026, 09:00 UTC" in early.get_data(as_text=True)
    clock.current = datetime(2026, 3, 2, 17, 1)
    late = check_in_by_code(learner, code)
    assert late.status_code == 400
    assert "closed at 2 March 2026, 17:00 UTC" in late.get_data(as_text=True)
    assert attendances(app, event_id) == []
    clock.current = datetime(2026, 3, 2, 17, 0)  # the last minute of the grace
    assert check_in_by_code(learner, code).status_code == 302


def test_capacity(app: Flask, trainer: Web, learners: Callable[[int], list[Web]]) -> None:
    event_id = create_event(trainer, capacity="2")
    code = event_of(app, event_id).checkin_code
    first, second, third = learners(3)
    assert check_in_by_code(first, code).status_code == 302
    assert check_in_by_code(second, code).status_code == 302
    full = check_in_by_code(third, code)
    assert full.status_code == 400
    assert "is full: all 2 places are taken" in full.get_data(as_text=True)
    assert len(attendances(app, event_id)) == 2
    # Someone already in is not refused for the event being full.
    assert check_in_by_code(first, code).status_code == 302
    # The trainer may still add someone at the door.
    page = f"/studio/events/{event_id}"
    added = trainer.submit(page, {"email": "graduate@example.com"}, action=f"{page}/attendees")
    assert added.status_code == 302
    assert len(attendances(app, event_id)) == 3


# Check-in by the QR's link -------------------------------------------------------------


def test_check_in_via_the_qr_link(app: Flask, trainer: Web, learner: Web) -> None:
    event_id = create_event(trainer)
    link = checkin_link(trainer, event_id)
    page = learner.get(link)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Drying science day" in text and "Check me in" in text
    assert attendances(app, event_id) == []  # a GET checks nobody in
    assert learner.submit(link).status_code == 302
    [attendance] = attendances(app, event_id)
    assert attendance.method == "qr"
    # Signed out, the link leads to the sign-in page and back.
    anonymous = app.test_client().get(link)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_an_expired_link_is_refused_with_its_date(
    app: Flask, clock: Clock, trainer: Web, learner: Web
) -> None:
    event_id = create_event(trainer)
    link = checkin_link(trainer, event_id)
    token = learner.token(link)
    clock.current = datetime(2026, 3, 2, 17, 0, 1)  # past the end plus the grace
    for response in (learner.get(link), learner.client.post(link, data={"csrf_token": token})):
        assert response.status_code == 400
        assert "This check-in link expired on 2 March 2026, 17:00 UTC" in response.get_data(
            as_text=True
        )
    assert attendances(app, event_id) == []


def _forged(token: str) -> str:
    """The token with one character of its signature changed (mid-signature: the last
    base64 character may only carry padding bits)."""
    payload, _, signature = token.rpartition(".")
    i = len(signature) // 2
    swapped = "A" if signature[i] != "A" else "B"
    return f"{payload}.{signature[:i]}{swapped}{signature[i + 1 :]}"


def test_forged_links_are_refused(app: Flask, trainer: Web, learner: Web) -> None:
    event_id = create_event(trainer)
    link = checkin_link(trainer, event_id)
    token = link.rsplit("/", 1)[1]
    other_salt = URLSafeTimedSerializer("test-secret-key", salt="lms.password-reset").dumps(
        event_id
    )
    other_key = URLSafeTimedSerializer("another-key", salt="lms-event-checkin").dumps(event_id)
    # The payload changed to another event id, keeping the signature.
    other_payload = URLSafeTimedSerializer("x", salt="lms-event-checkin").dumps(event_id + 1)
    moved = other_payload.split(".")[0] + token[token.index(".") :]
    csrf = learner.token(link)
    for bad in (_forged(token), other_salt, other_key, moved, "garbage", "a.b.c"):
        for response in (
            learner.get(f"/events/checkin/{bad}"),
            learner.client.post(f"/events/checkin/{bad}", data={"csrf_token": csrf}),
        ):
            assert response.status_code == 400, bad
            assert "This check-in link is not valid" in response.get_data(as_text=True)
    assert attendances(app, event_id) == []
    assert learner.get(link).status_code == 200  # the genuine one still works


def test_a_link_to_a_missing_event_is_refused(app: Flask, trainer: Web, learner: Web) -> None:
    from lms.events.tokens import make_checkin_token

    with app.test_request_context():
        token = make_checkin_token(Event(id=4242))
    response = learner.get(f"/events/checkin/{token}")
    assert response.status_code == 400
    assert "no longer exists" in response.get_data(as_text=True)


# The roster ----------------------------------------------------------------------------


def test_confirm_credits_each_attendee_once_and_not_the_removed(
    app: Flask, trainer: Web, learner: Web, learners: Callable[[int], list[Web]]
) -> None:
    event_id = create_event(trainer)
    code = event_of(app, event_id).checkin_code
    stays, leaves = learners(2)
    for web in (learner, stays, leaves):
        assert check_in_by_code(web, code).status_code == 302
    page = f"/studio/events/{event_id}"
    removed = attendances(app, event_id)[2]
    response = trainer.submit(page, action=f"{page}/attendees/{removed.id}/remove")
    assert response.status_code == 302
    # Removed, they cannot check themselves back in.
    back = check_in_by_code(leaves, code)
    assert back.status_code == 400 and "took you off" in back.get_data(as_text=True)
    # Someone who forgot to check in is added by the trainer.
    added = trainer.submit(page, {"email": "Graduate@Example.com "}, action=f"{page}/attendees")
    assert added.status_code == 302
    assert attendances(app, event_id)[3].method == "trainer"

    token = trainer.token(page)
    the_event_started(app)
    assert trainer.submit(page, action=f"{page}/confirm").status_code == 302
    credited = entries(app)
    assert len(credited) == 3
    kept = {a.user_id for a in attendances(app, event_id) if not a.removed}
    assert {e.user_id for e in credited} == kept and removed.user_id not in kept
    for entry in credited:
        assert entry.source_ref == f"event:{event_id}:user:{entry.user_id}"
        assert entry.verification == "trainer" and entry.source == "event"
        assert entry.credits == Decimal("2.00") and entry.hours == Decimal("6.00")
        assert entry.category == "technical" and entry.earned_on.isoformat() == "2026-03-02"
    assert event_of(app, event_id).status == "confirmed"

    again = trainer.client.post(f"{page}/confirm", data={"csrf_token": token})
    assert again.status_code == 409
    assert "confirmed already" in again.get_data(as_text=True)
    assert len(entries(app)) == 3
    # After confirmation nobody checks in, and the roster is closed.
    late = check_in_by_code(learners(1)[0], code)
    assert late.status_code == 400 and "confirmed already" in late.get_data(as_text=True)
    closed = trainer.client.post(
        f"{page}/attendees", data={"csrf_token": token, "email": "graduate@example.com"}
    )
    assert closed.status_code == 409
    assert len(attendances(app, event_id)) == 4


def test_add_by_email_checks_the_address(app: Flask, trainer: Web, learner: Web) -> None:
    event_id = create_event(trainer)
    page = f"/studio/events/{event_id}"
    for email in ("nobody@example.org", "", "x" * 300):
        response = trainer.submit(page, {"email": email}, action=f"{page}/attendees")
        assert response.status_code == 400
        assert "Nobody has an account" in response.get_data(as_text=True)
    assert attendances(app, event_id) == []
    assert trainer.submit(page, {"email": "learner@example.com"}, action=f"{page}/attendees")
    again = trainer.submit(
        page, {"email": "learner@example.com"}, action=f"{page}/attendees", follow_redirects=True
    )
    assert "on the roster already" in again.get_data(as_text=True)
    assert len(attendances(app, event_id)) == 1
    [attendance] = attendances(app, event_id)
    assert trainer.get(f"{page}/attendees/{attendance.id}/remove").status_code == 405
    missing = trainer.submit(page, action=f"{page}/attendees/999999/remove")
    assert missing.status_code == 404


def test_removing_then_adding_back_restores_the_credit(
    app: Flask, trainer: Web, learner: Web
) -> None:
    event_id = create_event(trainer)
    assert check_in_by_code(learner, event_of(app, event_id).checkin_code).status_code == 302
    [attendance] = attendances(app, event_id)
    page = f"/studio/events/{event_id}"
    trainer.submit(page, action=f"{page}/attendees/{attendance.id}/remove")
    assert attendances(app, event_id)[0].removed
    trainer.submit(page, {"email": "learner@example.com"}, action=f"{page}/attendees")
    assert not attendances(app, event_id)[0].removed
    the_event_started(app)
    trainer.submit(page, action=f"{page}/confirm")
    assert len(entries(app)) == 1


def test_a_cancelled_event_refuses_check_in_and_confirmation(
    app: Flask, trainer: Web, learner: Web
) -> None:
    event_id = create_event(trainer)
    code = event_of(app, event_id).checkin_code
    link = checkin_link(trainer, event_id)
    page = f"/studio/events/{event_id}"
    token = trainer.token(page)
    unsure = trainer.submit(page, action=f"{page}/cancel")
    assert unsure.status_code == 400 and "Tick the box" in unsure.get_data(as_text=True)
    assert event_of(app, event_id).status == "scheduled"
    assert trainer.submit(page, {"sure": "yes"}, action=f"{page}/cancel").status_code == 302
    assert event_of(app, event_id).status == "cancelled"
    refused = check_in_by_code(learner, code)
    assert refused.status_code == 400 and "was cancelled" in refused.get_data(as_text=True)
    by_link = learner.submit(link)
    assert by_link.status_code == 400 and "was cancelled" in by_link.get_data(as_text=True)
    the_event_started(app)
    confirm = trainer.client.post(f"{page}/confirm", data={"csrf_token": token})
    assert confirm.status_code == 409
    assert attendances(app, event_id) == [] and entries(app) == []


# Races ---------------------------------------------------------------------------------


def test_ten_simultaneous_check_ins_of_one_learner_make_one_attendance(
    app: Flask, trainer: Web, create_user: Callable[..., Any]
) -> None:
    event_id = create_event(trainer)
    code = event_of(app, event_id).checkin_code
    person = create_user()
    webs = [signed_in(app, person.email, person.plain_password) for _ in range(10)]
    tokens = [web.token("/events/checkin") for web in webs]
    barrier = threading.Barrier(len(webs))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def check_in(web: Web, token: str) -> None:
        try:
            barrier.wait()
            response = web.client.post("/events/checkin", data={"csrf_token": token, "code": code})
            statuses.append(response.status_code)
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [
        threading.Thread(target=check_in, args=pair) for pair in zip(webs, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert statuses == [302] * 10
    assert len(attendances(app, event_id)) == 1


def test_confirming_at_once_credits_each_attendee_once(
    app: Flask, trainer: Web, admin: Web, learners: Callable[[int], list[Web]]
) -> None:
    event_id = create_event(trainer)
    code = event_of(app, event_id).checkin_code
    for web in learners(3):
        assert check_in_by_code(web, code).status_code == 302
    page = f"/studio/events/{event_id}"
    second = signed_in(app, "trainer@example.com", "trainer-demo-pass")
    webs = [trainer, admin, second]
    tokens = [web.token(page) for web in webs]
    the_event_started(app)
    barrier = threading.Barrier(len(webs))
    statuses: list[int] = []

    def confirm(web: Web, token: str) -> None:
        barrier.wait()
        statuses.append(web.client.post(f"{page}/confirm", data={"csrf_token": token}).status_code)

    threads = [
        threading.Thread(target=confirm, args=pair) for pair in zip(webs, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 409, 409]
    assert len(entries(app)) == 3


def test_what_a_trainer_types_is_shown_as_text(app: Flask, trainer: Web, learner: Web) -> None:
    from tests.html_safety import script_hazards

    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    event_id = create_event(
        trainer,
        title=hostile,
        place=hostile,
        description=f"{hostile}\n\n[click](javascript:alert(3))",
    )
    link = checkin_link(trainer, event_id)
    for page in (
        trainer.get(f"/studio/events/{event_id}"),
        trainer.get("/studio/events"),
        learner.get(link),
    ):
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert script_hazards(text) == [] and "&lt;script&gt;" in text


def test_a_roster_is_confirmed_only_once_the_event_started(
    app: Flask, trainer: Web, learner: Web
) -> None:
    event_id = create_event(trainer)
    assert check_in_by_code(learner, event_of(app, event_id).checkin_code).status_code == 302
    page = f"/studio/events/{event_id}"
    early = trainer.submit(page, action=f"{page}/confirm")
    assert early.status_code == 409 and "once it has taken place" in early.get_data(as_text=True)
    assert entries(app) == [] and event_of(app, event_id).status == "scheduled"


def test_the_trainer_cannot_credit_themselves(app: Flask, trainer: Web) -> None:
    event_id = create_event(trainer)
    page = f"/studio/events/{event_id}"
    added = trainer.submit(page, {"email": "trainer@example.com"}, action=f"{page}/attendees")
    assert added.status_code == 400 and "cannot credit themselves" in added.get_data(as_text=True)
    assert attendances(app, event_id) == []
