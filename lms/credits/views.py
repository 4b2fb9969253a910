"""The learner's transcript: on screen, as CSV and PDF, and the audit packet (a ZIP).

Everything here is the signed-in person's own data; an admin gets someone else's packet from
``lms.admin.ledger``. A period that cannot be read is a 400 naming the parameter.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, make_response, render_template, request
from werkzeug.wrappers import Response

from lms.accounts.models import User
from lms.auth import current_learner, login_required
from lms.awards.views import verify_url
from lms.clock import now
from lms.credits.audit import PacketTooLarge, build_packet
from lms.credits.log import credit_lines, credit_totals
from lms.credits.transcript import (
    Period,
    PeriodError,
    build_transcript,
    certification_numbers,
    choose_period,
    cycle_label,
    cycle_params,
    transcript_csv,
    transcript_pdf,
)
from lms.db import session
from lms.links import link_maker
from lms.pagination import page_or_404, requested_page
from lms.requirements import operations as requirements

bp = Blueprint("credits", __name__)


def period_for(user_id: int) -> tuple[Period, list[requirements.Standing]]:
    """The period asked for in the query string, among this person's cycles (400 if bad)."""
    today = now().date()
    standings = requirements.standing_of(user_id, today)
    try:
        return choose_period(request.args, standings, today), standings
    except PeriodError as exc:
        abort(400, str(exc))


def download(data: bytes | str, mimetype: str, filename: str) -> Response:
    response = make_response(data)
    response.mimetype = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal records: never kept by a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def packet_response(user: User, period: Period) -> Response:
    try:
        packet = build_packet(user, period, now())
    except PacketTooLarge as exc:
        page = render_template(
            "lms/error.html", code=413, title="Too many certificates for one packet", message=exc
        )
        return make_response(page, 413)
    return download(packet.data, "application/zip", packet.filename)


def _me() -> User:
    return session().get(User, current_learner.id)


#: Entries per page of the transcript on screen (the downloads hold every entry).
LINES_PER_PAGE = 25


@bp.get("/my/transcript")
@login_required
def transcript() -> str:
    user_id = current_learner.id
    period, standings = period_for(user_id)
    number = requested_page()
    chosen = {"start": period.start, "end": period.end, "counted": period.entry_ids}
    lines = credit_lines(
        user_id,
        offset=(number - 1) * LINES_PER_PAGE,
        limit=LINES_PER_PAGE,
        newest_first=False,
        **chosen,
    )
    totals = credit_totals(user_id, **chosen)
    return render_template(
        "lms/credits/transcript.html",
        learner_name=current_learner.name,
        certification_numbers=certification_numbers(user_id),
        period=period,
        lines=page_or_404(lines, number, LINES_PER_PAGE, totals.entries),
        totals=totals.by_unit,
        cycles=[
            (cycle_params(s), cycle_label(s), s.status, period.params() == cycle_params(s))
            for s in sorted(standings, key=lambda s: (s.rule_code, s.cycle_start))
        ],
        params=period.params(),
        verify_link=link_maker("lms.awards.verify_page", "public_id"),
    )


@bp.get("/my/transcript.csv")
@login_required
def transcript_csv_download() -> Response:
    period, _ = period_for(current_learner.id)
    text = transcript_csv(build_transcript(_me(), period, now()), verify_url)
    return download(text, "text/csv", f"transcript-{period.slug}.csv")


@bp.get("/my/transcript.pdf")
@login_required
def transcript_pdf_download() -> Response:
    period, _ = period_for(current_learner.id)
    pdf = transcript_pdf(
        build_transcript(_me(), period, now()), site_name=current_app.config["LMS_SITE_NAME"]
    )
    return download(pdf, "application/pdf", f"transcript-{period.slug}.pdf")


@bp.get("/my/audit-packet.zip")
@login_required
def audit_packet() -> Response:
    period, _ = period_for(current_learner.id)
    return packet_response(_me(), period)
