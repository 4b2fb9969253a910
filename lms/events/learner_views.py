"""The learner's event pages (on ``lms.events.views.bp``): upcoming events and courses that
count for my certifications, an event with registration and its waitlist, the "add to
calendar" file, and my calendar feed (fetched by calendar apps at a secret address, without a
session)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, flash, make_response, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.auth import current_learner, login_required
from lms.catalogue.models import Certification
from lms.clock import now
from lms.db import session
from lms.events import calendar, feed
from lms.events import operations as ops
from lms.events import registration as reg
from lms.events.models import Event
from lms.events.views import bp
from lms.pagination import page_or_404, requested_page
from lms.requirements.operations import compliance_of, courses_that_count
from lms.times import same_local_day, viewer_zone
from lms.urls import external_url


def _visible_event(event_id: int) -> Event:
    event = ops.get_event(event_id)
    if event is None:
        abort(404, "There is no event at this address.")
    return event


def _ics_response(body: bytes, filename: str) -> Response:
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _site_host() -> str:
    return urlsplit(external_url("lms.events.upcoming")).hostname or "localhost"


@bp.get("/events")
@login_required
def upcoming() -> str:
    number = requested_page()
    moment = now()
    items, total = reg.upcoming_events(
        current_learner.id,
        moment,
        offset=(number - 1) * reg.EVENTS_PER_PAGE,
        limit=reg.EVENTS_PER_PAGE,
    )
    found = compliance_of(current_learner.id, moment.date())
    suggestions = courses_that_count(current_learner.id, found.standings, moment.date())
    courses = {c.id: c for found_courses in suggestions.values() for c in found_courses}
    token = feed.feed_token_of(current_learner.id)
    return render_template(
        "lms/events/upcoming.html",
        events=page_or_404(items, number, reg.EVENTS_PER_PAGE, total),
        held=found.held,
        courses=sorted(courses.values(), key=lambda c: c.title),
        feed_url=external_url("lms.events.calendar_feed", token=token) if token else None,
    )


def _event_page(event: Event, status: int = 200, error: str = "") -> Response:
    codes = list(event.certification_codes or [])
    names = {
        code: name
        for code, name in session().execute(
            select(Certification.code, Certification.name).where(Certification.code.in_(codes))
        )
    }
    page = render_template(
        "lms/events/event.html",
        event=event,
        place=reg.place_of(event.id, current_learner.id),
        taken=reg.seats_taken(event.id),
        certifications=[(code, names.get(code, "")) for code in codes],
        open=event.status == "scheduled" and now() < event.starts_at,
        same_day=same_local_day(event.starts_at, event.ends_at),
        same_day_there=same_local_day(event.starts_at, event.ends_at, event.time_zone),
        # "Local time there" only when it differs from what the viewer already sees.
        show_there=bool(event.time_zone) and event.time_zone != viewer_zone().key,
        error=error,
    )
    return make_response(page, status)


@bp.get("/events/<int:event_id>")
@login_required
def event_page(event_id: int) -> Response:
    return _event_page(_visible_event(event_id))


@bp.post("/events/<int:event_id>/register")
@login_required
def register(event_id: int) -> Response:
    event = _visible_event(event_id)
    try:
        place = reg.register(event, current_learner.id, now())
    except ops.EventRefused as exc:
        return _event_page(event, exc.status, str(exc))
    if place.state == reg.REGISTERED:
        flash(f"You are registered for “{event.title}”. {place.message}", "success")
    else:
        flash(f"“{event.title}” is full. {place.message}", "success")
    return redirect(url_for(".event_page", event_id=event.id))


@bp.post("/events/<int:event_id>/cancel-registration")
@login_required
def cancel_registration(event_id: int) -> Response:
    event = _visible_event(event_id)
    try:
        reg.cancel(event, current_learner.id, now())
    except ops.EventRefused as exc:
        return _event_page(event, exc.status, str(exc))
    flash(f"Your registration for “{event.title}” is cancelled.", "success")
    return redirect(url_for(".event_page", event_id=event.id))


@bp.get("/events/<int:event_id>/calendar.ics")
@login_required
def event_ics(event_id: int) -> Response:
    event = _visible_event(event_id)
    url = external_url("lms.events.event_page", event_id=event.id)
    body = calendar.event_file(event, host=_site_host(), url=url, now=now())
    return _ics_response(body, f"event-{event.id}.ics")


@bp.post("/events/calendar-feed")
@login_required
def make_feed() -> Response:
    replacing = feed.feed_token_of(current_learner.id) is not None
    feed.new_feed_token(current_learner.id)
    flash(
        "Your calendar feed has a new address: the old one no longer works."
        if replacing
        else "Your calendar feed is ready: add its address to your calendar app.",
        "success",
    )
    return redirect(url_for(".upcoming") + "#feed-h")


@bp.post("/events/calendar-feed/end")
@login_required
def end_feed() -> Response:
    feed.end_feed(current_learner.id)
    flash("Your calendar feed is turned off: its address no longer works.", "success")
    return redirect(url_for(".upcoming") + "#feed-h")


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str) -> Response:
    """No session: a calendar app fetches this. The token in the address is the key."""
    person = feed.feed_owner(token)
    if person is None:
        abort(404, "There is no calendar feed at this address: it may have been replaced.")
    moment = now()
    events = [
        (event, state, external_url("lms.events.event_page", event_id=event.id))
        for event, state in reg.my_events(person.id, moment - feed.FEED_KEEPS_PAST)
    ]
    body = calendar.feed_file(
        f"{person.name}: events and due dates",
        events,
        feed.due_dates_of(person.id, moment),
        host=_site_host(),
        now=moment,
    )
    response = _ics_response(body, "my-calendar.ics")
    response.headers["Cache-Control"] = "private, no-store"
    # Not sent on to other sites from links in the calendar (the address is the key).
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
