"""Events for learners: the page of upcoming events and courses that count, registration with
capacity and a waitlist (promotion once, also when people cancel at the same moment), the
.ics file of an event, the personal calendar feed at a secret address, and what the trainer
sees. The clock starts at 2026-03-02 09:00 UTC; the events here start on 10 March."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

import icalendar
import pytest
from flask import Flask
from sqlalchemy import select

from lms.events.models import Registration
from lms.outbox.models import OutboxMessage
from tests.conftest import Clock, StatementCounter, Web, signed_in
from tests.test_events import create_event

LATER = {"starts_at": "2026-03-10T14:00", "ends_at": "2026-03-10T18:00"}


@pytest.fixture
def people(app: Flask, create_user: Callable[..., Any]) -> Callable[[int], list[tuple[Any, Web]]]:
    def make(n: int) -> list[tuple[Any, Web]]:
        found = [create_user() for _ in range(n)]
        return [(p, signed_in(app, p.email, p.plain_password)) for p in found]

    return make


def registrations(app: Flask, event_id: int) -> dict[int, str]:
    """user id -> state."""
    with app.app_context():
        db = app.extensions["lms"].db.session
        rows = db.execute(
            select(Registration.user_id, Registration.state).where(
                Registration.event_id == event_id
            )
        )
        return {user_id: state for user_id, state in rows}


def outbox(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        db = app.extensions["lms"].db.session
        rows = list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        for row in rows:
            db.expunge(row)
        return rows


def register(web: Web, event_id: int):  # noqa: ANN201
    return web.submit(f"/events/{event_id}", action=f"/events/{event_id}/register")


def cancel(web: Web, event_id: int):  # noqa: ANN201
    return web.submit(f"/events/{event_id}", action=f"/events/{event_id}/cancel-registration")


def text(response: Any) -> str:
    return response.get_data(as_text=True)


# Finding events ---------------------------------------------------------------------------


def test_a_learner_finds_the_trainers_workshop(
    trainer: Web, people: Callable[[int], list[tuple[Any, Web]]]
) -> None:
    event_id = create_event(trainer, capacity="12", **LATER)
    [(_, web)] = people(1)
    dashboard = text(web.get("/dashboard"))
    assert 'href="/events"' in dashboard  # the main menu
    page = text(web.get("/events"))
    assert f'href="/events/{event_id}"' in page and "Drying science day" in page
    assert "12 of 12 seats left" in page
    assert '<time datetime="2026-03-10T14:00:00Z">10 March 2026, 14:00 UTC</time>' in page
    event_page = text(web.get(f"/events/{event_id}"))
    assert "Hall 3, Expo Centre" in event_page and ">Register</button>" in event_page
    assert "CCT (Carpet Cleaning Technician)" in event_page


def test_past_cancelled_and_other_events_are_not_listed(
    app: Flask, trainer: Web, people: Callable[[int], list[tuple[Any, Web]]]
) -> None:
    create_event(
        trainer, title="Already over", starts_at="2026-03-01T10:00", ends_at="2026-03-01T12:00"
    )
    gone = create_event(trainer, title="Called off", **LATER)
    trainer.submit(f"/studio/events/{gone}", {"sure": "yes"}, f"/studio/events/{gone}/cancel")
    create_event(trainer, title="Still to come", **LATER)
    [(_, web)] = people(1)
    page = text(web.get("/events"))
    assert "Still to come" in page
    assert "Already over" not in page and "Called off" not in page


def test_what_i_still_need_links_to_the_events(app: Flask, demo: None) -> None:
    from lms.demo import seed_demo_holdings

    with app.app_context():
        seed_demo_holdings()
    graduate = signed_in(app, "graduate@example.com", "graduate-demo-pass")
    page = text(graduate.get("/my/compliance"))
    assert 'href="/events"' in page and "count too" in page
    events = text(graduate.get("/events"))
    assert "Courses that count for my certifications" in events
    assert 'href="/courses/' in events  # the graduate's WRT cycle is short: courses that count


def test_the_events_page_costs_the_same_with_more_events(
    trainer: Web, people: Callable[[int], list[tuple[Any, Web]]], statements: StatementCounter
) -> None:
    [(_, web)] = people(1)
    create_event(trainer, capacity="3", **LATER)
    few = statements.during(lambda: web.get("/events"))
    for n in range(6):
        event_id = create_event(trainer, title=f"Workshop {n}", capacity="3", **LATER)
        register(web, event_id)
    assert statements.during(lambda: web.get("/events")) == few


# Registration and the waitlist ---------------------------------------------------------


def test_register_then_full_then_waitlist_with_places(
    app: Flask, trainer: Web, people: Callable[[int], list[tuple[Any, Web]]]
) -> None:
    event_id = create_event(trainer, capacity="1", **LATER)
    (first, a), (second, b), (third, c) = people(3)
    response = register(a, event_id)
    assert response.status_code == 302
    assert "You have a seat." in text(a.get(f"/events/{event_id}"))
    full = text(b.get(f"/events/{event_id}"))
    assert "The only seat is taken" in full and ">Join the waitlist</button>" in full
    register(b, event_id)
    register(c, event_id)
    assert "Waitlist: number 1." in text(b.get(f"/events/{event_id}"))
    assert "Waitlist: number 2." in text(c.get(f"/events/{event_id}"))
    assert registrations(app, event_id) == {
        first.id: "registered",
        second.id: "waitlisted",
        third.id: "waitlisted",
    }
    # Registering again changes nothing.
    register(c, event_id)
    assert "Waitlist: number 2." in text(c.get(f"/events/{event_id}"))
    assert "Full: join the waitlist" in text(trainer.get("/events"))  # not registered


def test_a_freed_seat_goes_to_the_first_waiting_who_is_told(
    app: Flask, trainer: Web, people: Callable[[int], list[tuple[Any, Web]]]
) -> None:
    event_id = create_event(trainer, capacity="1", **LATER)
    (_, a), (second, b), (third, c) = people(3)
    for web in (a, b, c):
        register(web, event_id)
    assert cancel(a, event_id).status_code == 302
    states = registrations(app, event_id)
    assert states[second.id] == "registered" and states[third.id] == "waitlisted"
    assert "You have a seat." in text(b.get(f"/events/{event_id}"))
    assert "Waitlist: number 1." in text(c.get(f"/events/{event_id}"))
    [mail] = outbox(app)
    assert mail.to_address == second.email and "You have a seat" in mail.subject
    assert "10 March 2026, 14:00 UTC" in mail.body
    # Leaving the waitlist frees no seat: nobody else is promoted, nobody e-mailed.
    cancel(c, event_id)
    assert len(outbox(app)) == 1


def test_registering_again_after_cancelling_joins_the_back_of_the_queue(
    app: Flask, trainer: Web, people: Callable[[int], list[tuple[Any, Web]]]
) -> None:
    event_id = create_event(trainer, capacity="1", **LATER)
    (_, a), (_, b), (third, c) = people(3)
    for web in (a, b, c):
        register(web, event_id)
    cancel(b, event_id)
    assert "Waitlist: number 1." in text(c.get(f"/events/{event_id}"))
    register(b, event_id)
    assert "Waitlist: number 2." in text(b.get(f"/events/{event_id}"))


def test_refusals_say_why_and_write_nothing(
    app: Flask, trainer: Web, clock: Clock, people: Callable[[int], list[tuple[Any, Web]]]
) -> None:
    event_id = create_event(trainer, capacity="5", **LATER)
    [(_, web)] = people(1)
    response = cancel(web, event_id)
    assert response.status_code == 409 and "You are not registered" in text(response)
    own = register(trainer, event_id)
    assert own.status_code == 400 and "its trainer does not register" in text(own)
    assert web.get("/events/999999").status_code == 404
    token = web.token(f"/events/{event_id}")
    assert web.client.post("/events/999999/register", data={"csrf_token": token}).status_code == 404
    assert web.client.post(f"/events/{event_id}/register").status_code == 400  # no CSRF token
    app.extensions["lms"].clock.current = clock.current.replace(day=10, hour=14)  # it started
    late = register(web, event_id)
    assert late.status_code == 409 and "Registration for “Drying science day” closed" in text(late)
    assert registrations(app, event_id) == {}


def test_a_cancelled_event_takes_no_registrations(
    app: Flask, trainer: Web, people: Callable[[int], list[tuple[Any, Web]]]
) -> None:
    event_id = create_event(trainer, **LATER)
    [(_, web)] = people(1)
    trainer.submit(
        f"/studio/events/{event_id}", {"sure": "yes"}, f"/studio/events/{event_id}/cancel"
    )
    response = register(web, event_id)
    assert response.status_code == 409 and "was cancelled" in text(response)
    assert registrations(app, event_id) == {}


def test_the_trainer_sees_registrations_and_the_waitlist(
    trainer: Web, people: Callable[[int], list[tuple[Any, Web]]]
) -> None:
    event_id = create_event(trainer, capacity="1", **LATER)
    (first, a), (second, b) = people(2)
    register(a, event_id)
    register(b, event_id)
    page = text(trainer.get(f"/studio/events/{event_id}"))
    registered = page.split('id="registered-h"')[1].split('id="waitlist-h"')[0]
    waiting = page.split('id="waitlist-h"')[1].split('id="roster-h"')[0]
    assert "Registered (1 of 1 seats)" in page and first.email in registered
    assert "Waitlist (1)" in page and second.email in waiting and first.email not in waiting
    # The roster flow is unchanged: nobody is on the roster until they check in.
    assert "Nobody has checked in yet." in page


# Races ---------------------------------------------------------------------------------


def _at_once(calls: list[Callable[[], Any]]) -> list[int]:
    barrier = threading.Barrier(len(calls))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            statuses.append(call().status_code)
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return statuses


def test_ten_people_registering_at_once_for_the_last_seat(
    app: Flask, trainer: Web, people: Callable[[int], list[tuple[Any, Web]]]
) -> None:
    event_id = create_event(trainer, capacity="1", **LATER)
    crowd = people(10)
    tokens = [web.token(f"/events/{event_id}") for _, web in crowd]
    statuses = _at_once(
        [
            (
                lambda w=web, t=token: w.client.post(
                    f"/events/{event_id}/register", data={"csrf_token": t}
                )
            )
            for (_, web), token in zip(crowd, tokens, strict=True)
        ]
    )
    assert statuses == [302] * 10
    states = list(registrations(app, event_id).values())
    assert states.count("registered") == 1 and states.count("waitlisted") == 9
    places = {
        re.search(r"Waitlist: number (\d+)\.", text(web.get(f"/events/{event_id}")))
        for _, web in crowd
    }
    numbers = sorted(int(m.group(1)) for m in places if m)
    assert numbers == list(range(1, 10))  # every waiting person has their own place


def test_a_double_cancel_promotes_exactly_one(
    app: Flask, trainer: Web, people: Callable[[int], list[tuple[Any, Web]]]
) -> None:
    event_id = create_event(trainer, capacity="1", **LATER)
    (holder, a), (second, b), (third, c) = people(3)
    for web in (a, b, c):
        register(web, event_id)
    tabs = [signed_in(app, holder.email, holder.plain_password) for _ in range(6)]
    tokens = [tab.token(f"/events/{event_id}") for tab in tabs]
    statuses = _at_once(
        [
            (
                lambda w=tab, t=token: w.client.post(
                    f"/events/{event_id}/cancel-registration", data={"csrf_token": t}
                )
            )
            for tab, token in zip(tabs, tokens, strict=True)
        ]
    )
    assert sorted(statuses) == [302] + [409] * 5
    states = registrations(app, event_id)
    assert states == {holder.id: "cancelled", second.id: "registered", third.id: "waitlisted"}
    assert [m.to_address for m in outbox(app)] == [second.email]


def test_two_seats_freed_at_once_promote_two_people_once_each(
    app: Flask, trainer: Web, people: Callable[[int], list[tuple[Any, Web]]]
) -> None:
    event_id = create_event(trainer, capacity="2", **LATER)
    crowd = people(5)
    for _, web in crowd:
        register(web, event_id)
    leavers = crowd[:2]
    tokens = [web.token(f"/events/{event_id}") for _, web in leavers]
    statuses = _at_once(
        [
            (
                lambda w=web, t=token: w.client.post(
                    f"/events/{event_id}/cancel-registration", data={"csrf_token": t}
                )
            )
            for (_, web), token in zip(leavers, tokens, strict=True)
        ]
    )
    assert statuses == [302, 302]
    states = registrations(app, event_id)
    ids = [p.id for p, _ in crowd]
    assert [states[i] for i in ids] == [
        "cancelled",
        "cancelled",
        "registered",
        "registered",
        "waitlisted",
    ]
    assert sorted(m.to_address for m in outbox(app)) == sorted(p.email for p, _ in crowd[2:4])


# Calendar files ---------------------------------------------------------------------------


def _physical_lines(body: bytes) -> list[bytes]:
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")  # CRLF only
    return body.split(b"\r\n")[:-1]


def test_an_event_downloads_as_an_ics_file(
    trainer: Web, people: Callable[[int], list[tuple[Any, Web]]]
) -> None:
    long_title = "Structural drying for large losses: " + "commercial buildings " * 4
    event_id = create_event(
        trainer, title=long_title.strip(), place="Hall 3; Expo, Centre", **LATER
    )
    [(_, web)] = people(1)
    response = web.get(f"/events/{event_id}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'attachment; filename="event-' in response.headers["Content-Disposition"]
    lines = _physical_lines(response.data)
    assert all(len(line) <= 75 for line in lines)  # folded (RFC 5545 3.1)
    assert any(line.startswith(b" ") for line in lines)  # the long title was folded
    assert b"DTSTART:20260310T140000Z" in response.data
    assert b"LOCATION:Hall 3\\; Expo\\, Centre" in response.data  # escaped (3.3.11)
    calendar = icalendar.Calendar.from_ical(response.data)
    [entry] = calendar.walk("VEVENT")
    assert str(entry["SUMMARY"]) == long_title.strip()
    assert entry["UID"] == f"event-{event_id}@localhost"
    assert entry.decoded("DTEND").isoformat() == "2026-03-10T18:00:00+00:00"
    assert f"http://localhost/events/{event_id}" in str(entry["DESCRIPTION"])
    assert web.get("/events/4242/calendar.ics").status_code == 404
    trainer.submit(
        f"/studio/events/{event_id}", {"sure": "yes"}, f"/studio/events/{event_id}/cancel"
    )
    assert b"STATUS:CANCELLED\r\n" in web.get(f"/events/{event_id}/calendar.ics").data


def test_the_calendar_feed_works_without_a_session_and_can_be_replaced(
    app: Flask, trainer: Web, demo: None
) -> None:
    from lms.demo import seed_demo_holdings

    with app.app_context():
        seed_demo_holdings()
    full = create_event(trainer, title="Full workshop", capacity="1", **LATER)
    seated = create_event(trainer, title="Open workshop", **LATER)
    graduate = signed_in(app, "graduate@example.com", "graduate-demo-pass")
    learner = signed_in(app, "learner@example.com", "learner-demo-pass")
    register(learner, full)
    register(graduate, full)
    register(graduate, seated)
    assert ">Create my calendar feed</button>" in text(graduate.get("/events"))
    graduate.submit("/events", action="/events/calendar-feed")
    page = text(graduate.get("/events"))
    first_url = re.search(r'id="feed-url"[^>]*value="http://localhost(/calendar/[^"]+\.ics)"', page)
    assert first_url, "the page shows the feed's address"
    stranger = app.test_client()  # a calendar app: no cookie
    feed = stranger.get(first_url.group(1))
    assert feed.status_code == 200 and feed.headers["Content-Type"].startswith("text/calendar")
    assert feed.headers["Referrer-Policy"] == "no-referrer"
    calendar = icalendar.Calendar.from_ical(feed.data)
    summaries = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert summaries["Open workshop"]["STATUS"] == "CONFIRMED"
    assert summaries["Waitlist: Full workshop"]["STATUS"] == "TENTATIVE"
    due = [e for s, e in summaries.items() if s.startswith("Credits due:")]
    assert due and all(e.decoded("DTSTART").__class__.__name__ == "date" for e in due)
    assert any("still needed" in str(e["DESCRIPTION"]) for e in due)
    # Another person's registrations are not in it.
    assert len([s for s in summaries if "workshop" in s]) == 2
    # A new address ends the old one.
    graduate.submit("/events", action="/events/calendar-feed")
    second_url = re.search(
        r'id="feed-url"[^>]*value="http://localhost(/calendar/[^"]+\.ics)"',
        text(graduate.get("/events")),
    )
    assert second_url and second_url.group(1) != first_url.group(1)
    assert stranger.get(first_url.group(1)).status_code == 404
    assert stranger.get(second_url.group(1)).status_code == 200
    graduate.submit("/events", action="/events/calendar-feed/end")
    assert stranger.get(second_url.group(1)).status_code == 404
    assert ">Create my calendar feed</button>" in text(graduate.get("/events"))


@pytest.mark.parametrize("token", ["x", "a" * 43, "../../etc/passwd", "a" * 40 + "!!!", "a" * 300])
def test_a_made_up_feed_address_is_not_found(client: Any, token: str) -> None:
    assert client.get(f"/calendar/{token}.ics").status_code == 404


# Times ------------------------------------------------------------------------------------


def test_an_event_with_its_own_zone_shows_both(app: Flask, trainer: Web, people: Any) -> None:
    event_id = create_event(trainer, **LATER)
    with app.app_context():
        from lms.events.models import Event

        db = app.extensions["lms"].db.session
        db.get(Event, event_id).time_zone = "America/Chicago"
        db.commit()
    [(_, web)] = people(1)
    web.submit("/my/settings", {"time_zone": "Europe/London"})
    page = text(web.get(f"/events/{event_id}"))
    assert "10 March 2026, 14:00 GMT</time> to <time" in page and "18:00 GMT" in page
    assert "Local time there: " in page and "10 March 2026, 09:00 CDT" in page


# The trainer's times ----------------------------------------------------------------------


def test_the_trainer_gives_local_times_in_the_events_zone(app: Flask, trainer: Web) -> None:
    form = text(trainer.get("/studio/events/new"))
    assert '<option selected value="UTC">' in form  # the trainer's own zone by default
    # 10 March 2026, 09:00 in Chicago is daylight time (CDT, UTC-5): 14:00 UTC.
    event_id = create_event(
        trainer,
        time_zone="America/Chicago",
        **{"starts_at": "2026-03-10T09:00", "ends_at": "2026-03-10T13:00"},
    )
    from tests.test_events import event_of

    event = event_of(app, event_id)
    assert (event.starts_at.hour, event.ends_at.hour, event.time_zone) == (
        14,
        18,
        "America/Chicago",
    )


def test_a_local_time_the_clocks_skip_is_refused(app: Flask, trainer: Web) -> None:
    from tests.test_events import event_form

    response = trainer.submit(
        "/studio/events/new",
        event_form(
            time_zone="America/Chicago", starts_at="2026-03-08T02:30", ends_at="2026-03-08T05:00"
        ),
    )
    assert response.status_code == 400
    assert "The clocks skip the start time you gave" in text(response)
    assert 'value="2026-03-08T02:30"' in text(response)  # what was typed is kept
    unknown = trainer.submit("/studio/events/new", event_form(time_zone="Mars/Olympus"))
    assert unknown.status_code == 400 and "Choose the time zone from the list." in text(unknown)


def test_the_events_page_and_the_feed_read_no_growing_table_whole(
    app: Flask, trainer: Web, people: Callable[[int], list[tuple[Any, Web]]]
) -> None:
    from tests.query_plans import full_scans, statements_of

    crowd = people(3)
    for n in range(4):
        event_id = create_event(trainer, title=f"Workshop {n}", capacity="2", **LATER)
        for _, web in crowd:
            register(web, event_id)
    past = create_event(
        trainer, title="Long ago", starts_at="2026-03-01T08:00", ends_at="2026-03-01T09:00"
    )
    assert past
    _, web = crowd[0]
    web.submit("/events", action="/events/calendar-feed")
    feed = re.search(r'id="feed-url"[^>]*value="http://localhost([^"]+)"', text(web.get("/events")))
    assert feed
    with app.app_context():
        engine = app.extensions["lms"].db.engine
    for address in ("/events", f"/events/{event_id}", feed.group(1)):
        sent = statements_of(engine, lambda a=address: web.get(a))
        growing = {"lms_event", "lms_event_registration", "lms_user"}
        scans = [(table, sql) for table, sql in full_scans(engine, sent) if table in growing]
        assert scans == [], address


def test_check_in_refusals_give_times_in_the_attendees_zone(
    app: Flask, trainer: Web, people: Callable[[int], list[tuple[Any, Web]]]
) -> None:
    from tests.test_events import event_of

    event_id = create_event(trainer, **LATER)
    code = event_of(app, event_id).checkin_code
    [(_, web)] = people(1)
    web.submit("/my/settings", {"time_zone": "America/Chicago"})
    early = web.submit("/events/checkin", {"code": code})
    assert early.status_code == 400
    # Check-in opens an hour before 14:00 UTC: 08:00 in Chicago (CDT since 8 March).
    assert "opens at 10 March 2026, 08:00 CDT" in text(early)


def test_an_event_that_counts_for_me_says_so(app: Flask, trainer: Web, demo: None) -> None:
    from lms.demo import seed_demo_holdings

    with app.app_context():
        seed_demo_holdings()
    create_event(trainer, title="For restorers", certification=["WRT"], **LATER)
    create_event(trainer, title="For masters", certification=["CCT"], **LATER)
    graduate = signed_in(app, "graduate@example.com", "graduate-demo-pass")
    cards = text(graduate.get("/events")).split('class="card event-card"')[1:]
    mine = {card.split("</a>")[0].rsplit(">", 1)[1]: card for card in cards}
    assert "Counts toward your WRT" in mine["For restorers"]
    held = "Counts toward your CCT" in mine["For masters"]
    learner = signed_in(app, "learner@example.com", "learner-demo-pass")  # holds nothing
    assert "Counts toward your" not in text(learner.get("/events"))
    assert held  # the graduate holds CCT too (demo holdings)
