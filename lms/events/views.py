"""Event pages: the trainer's events and roster (under /studio/events) and the attendee's
check-in by code or by the QR's signed link (under /events/checkin)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import segno
from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from lms.auth import current_learner, login_required
from lms.claims import fields
from lms.clock import now
from lms.events import operations as ops
from lms.events.forms import EventForm
from lms.events.models import Event
from lms.events.registration import registrations_of
from lms.events.tokens import (
    CheckinTokenRefused,
    make_checkin_token,
    read_checkin_token,
    token_expires_at,
)
from lms.studio.access import studio_required
from lms.times import viewer_local_text, viewer_zone
from lms.urls import external_url

bp = Blueprint("events", __name__)


def owned_event(view: Callable[..., Any]) -> Callable[..., Any]:
    """The event from ``event_id`` as the view's ``event``, if the signed-in trainer owns it
    (admins: any). Another trainer's event is a 404, the same as a missing one."""

    @functools.wraps(view)
    @studio_required
    def wrapped(event_id: int, **kwargs: Any) -> Any:
        event = ops.get_event(event_id)
        if event is None or not (
            current_learner.has_role("admin") or event.owner_id == current_learner.id
        ):
            abort(404, "There is no event of yours at this address.")
        return view(event=event, **kwargs)

    return wrapped


# The trainer's pages ---------------------------------------------------------------------


@bp.get("/studio/events")
@studio_required
def studio_index() -> str:
    return render_template(
        "lms/events/index.html", events=ops.events_for(current_learner), labels=ops.STATUS_LABELS
    )


def _new_page(form: EventForm, status: int = 200) -> Response:
    return make_response(render_template("lms/events/new.html", form=form), status)


def _event_form() -> EventForm:
    form = EventForm()
    certifications = [(c.code, f"{c.code}: {c.name}") for c in ops.all_certifications()]
    form.offer(certifications, fields.credit_units())
    return form


@bp.route("/studio/events/new", methods=["GET", "POST"])
@studio_required
def new() -> Response:
    form = _event_form()
    if request.method == "GET":
        form.credit_unit.data = fields.credit_units()[0]
        form.category.data = "general"
        form.time_zone.data = viewer_zone().key
        return _new_page(form)
    form.validate()
    codes = [str(choice.value) for choice in form.certification.choices]
    checked = ops.check_event_form(form.sent(), codes)
    if checked.errors:
        form.mark(checked.errors)
        return _new_page(form, 400)
    event = ops.create_event(current_learner.id, checked.values, now())
    flash(f"Created “{event.title}”. Its check-in code is {event.checkin_code}.", "success")
    return redirect(url_for(".manage", event_id=event.id))


def _manage_page(
    event: Event, *, status: int = 200, add_error: str = "", email: str = "", error: str = ""
) -> Response:
    token = make_checkin_token(event)
    link = external_url("lms.events.checkin_link", token=token)
    lines = ops.roster(event)
    seats, waitlist = registrations_of(event.id)
    page = render_template(
        "lms/events/manage.html",
        event=event,
        link=link,
        checkin_url=external_url("lms.events.checkin"),
        qr=segno.make(link, error="m").png_data_uri(scale=6, border=4),
        link_expires=token_expires_at(event),
        opens=ops.checkin_opens_at(event),
        roster=lines,
        seats=seats,
        waitlist=waitlist,
        present=sum(1 for line in lines if not line.attendance.removed),
        started=now() >= event.starts_at,  # the roster can be confirmed only from the start
        methods=ops.METHOD_LABELS,
        labels=ops.STATUS_LABELS,
        categories=fields.CATEGORIES,
        add_error=add_error,
        email=email,
        error=error,
    )
    return make_response(page, status)


@bp.get("/studio/events/<int:event_id>")
@owned_event
def manage(event: Event) -> Response:
    return _manage_page(event)


@bp.post("/studio/events/<int:event_id>/attendees")
@owned_event
def add_attendee(event: Event) -> Response:
    email = request.form.get("email", "")
    try:
        user, done = ops.add_attendee(event, email, now())
    except ops.EventRefused as exc:
        if exc.status == 409:
            return _manage_page(event, status=409, error=str(exc))
        return _manage_page(event, status=exc.status, add_error=str(exc), email=email)
    messages = {
        "added": f"Added {user.name} to the roster.",
        "restored": f"Put {user.name} back on the roster.",
        "already": f"{user.name} is on the roster already.",
    }
    flash(messages[done], "success")
    return redirect(url_for(".manage", event_id=event.id))


@bp.post("/studio/events/<int:event_id>/attendees/<int:attendance_id>/remove")
@owned_event
def remove_attendee(event: Event, attendance_id: int) -> Response:
    try:
        ops.remove_attendee(event, attendance_id)
    except ops.EventRefused as exc:
        if exc.status == 404:
            abort(404, str(exc))
        return _manage_page(event, status=exc.status, error=str(exc))
    flash("Removed from the roster: they will not be credited.", "success")
    return redirect(url_for(".manage", event_id=event.id))


@bp.post("/studio/events/<int:event_id>/confirm")
@owned_event
def confirm(event: Event) -> Response:
    try:
        credited = ops.confirm_roster(event, current_learner.id, now(), viewer_zone())
    except ops.EventRefused as exc:
        return _manage_page(event, status=exc.status, error=str(exc))
    people = "attendee was" if credited == 1 else "attendees were"
    flash(f"Roster confirmed: {credited} {people} credited.", "success")
    return redirect(url_for(".manage", event_id=event.id))


@bp.post("/studio/events/<int:event_id>/cancel")
@owned_event
def cancel(event: Event) -> Response:
    if request.form.get("sure") != "yes":  # one click must not cancel an event for good
        return _manage_page(
            event, status=400, error="Tick the box to confirm that the event is cancelled."
        )
    try:
        ops.cancel_event(event)
    except ops.EventRefused as exc:
        return _manage_page(event, status=exc.status, error=str(exc))
    flash(f"“{event.title}” is cancelled; nobody will be credited for it.", "success")
    return redirect(url_for(".manage", event_id=event.id))


# Check-in ------------------------------------------------------------------------------


def _checked_in(result: ops.CheckinResult, event: Event) -> Response:
    when = result.attendance.checked_in_at
    if result.new:
        flash(
            f"You are checked in to “{event.title}”. You will be credited when the trainer "
            "confirms the roster.",
            "success",
        )
    else:
        flash(
            f"You are already checked in to “{event.title}” (since {viewer_local_text(when)}).",
            "success",
        )
    return redirect(url_for(".checkin"))


def _code_page(error: str = "", code: str = "", status: int = 200) -> Response:
    page = render_template("lms/events/checkin.html", error=error, code=code)
    return make_response(page, status)


@bp.get("/events/checkin")
@login_required
def checkin() -> Response:
    return _code_page()


@bp.post("/events/checkin")
@login_required
def checkin_code() -> Response:
    code = request.form.get("code", "")
    event = ops.event_by_code(code)
    if event is None:
        return _code_page(
            "There is no event with that check-in code: check the code shown by the trainer.",
            code[:40],
            400,
        )
    try:
        result = ops.check_in(event, current_learner.id, "code", now(), viewer_zone())
    except ops.EventRefused as exc:
        return _code_page(str(exc), code[:40], 400)
    return _checked_in(result, event)


def _link_page(
    token: str, event: Event | None = None, error: str = "", status: int = 200
) -> Response:
    page = render_template("lms/events/checkin_link.html", token=token, event=event, error=error)
    return make_response(page, status)


@bp.get("/events/checkin/<token>")
@login_required
def checkin_link(token: str) -> Response:
    """The QR's address: shows the event and a button (a GET never checks anyone in, so a
    link preview or a prefetch does not)."""
    try:
        event = read_checkin_token(token, viewer_zone())
    except CheckinTokenRefused as exc:
        return _link_page(token, error=str(exc), status=400)
    return _link_page(token, event)


@bp.post("/events/checkin/<token>")
@login_required
def checkin_link_post(token: str) -> Response:
    try:
        event = read_checkin_token(token, viewer_zone())
        result = ops.check_in(event, current_learner.id, "qr", now(), viewer_zone())
    except (CheckinTokenRefused, ops.EventRefused) as exc:
        return _link_page(token, error=str(exc), status=400)
    return _checked_in(result, event)


# The learner's pages add their routes to this blueprint.
import lms.events.learner_views  # noqa: E402, F401
