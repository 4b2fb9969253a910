"""Studio pages: the trainer's courses and each course's question bank (GIFT in and out)."""

from __future__ import annotations

import json

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from lms.accounts.forms import ActionForm
from lms.catalogue.models import Course
from lms.clock import now
from lms.learning.operations import final_quiz_of
from lms.learning.quiz_bank import MAX_GIFT_BYTES, ImportRefused, export_gift, import_gift
from lms.studio.access import owned_course, studio_required, visible_courses
from lms.studio.blueprint import bp


@bp.get("/")
@studio_required
def index() -> str:
    return render_template("lms/studio/index.html", courses=visible_courses())


def _bank_page(course: Course, *, error: str = "", text: str = "", status: int = 200) -> Response:
    quiz = final_quiz_of(course)
    page = render_template(
        "lms/studio/questions.html",
        course=course,
        quiz=quiz,
        questions=quiz.questions if quiz else [],
        error=error,
        text=text,
        form=ActionForm(),
    )
    return make_response(page, status)


@bp.get("/courses/<slug>/questions")
@owned_course
def questions(course: Course) -> Response:
    return _bank_page(course)


@bp.post("/courses/<slug>/questions/import")
@owned_course
def import_questions(course: Course) -> Response:
    """GIFT from an uploaded file or the text box; every question is added, or none."""
    if (request.content_length or 0) > MAX_GIFT_BYTES + 64 * 1024:
        abort(413, f"The file is larger than {MAX_GIFT_BYTES // 1024 // 1024} MB.")
    upload = request.files.get("file")
    pasted = request.form.get("text", "")
    if upload and upload.filename:
        if not upload.filename.lower().endswith((".gift", ".txt")):
            return _bank_page(course, error="Upload a GIFT file (.gift or .txt).", status=400)
        data = upload.read(MAX_GIFT_BYTES + 1)
        if len(data) > MAX_GIFT_BYTES:
            abort(413, f"The file is larger than {MAX_GIFT_BYTES // 1024 // 1024} MB.")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _bank_page(course, error="The file is not UTF-8 text.", status=400)
    else:
        text = pasted
    if not text.strip():
        return _bank_page(course, error="Choose a GIFT file or paste questions.", status=400)
    pool = request.form.get("pool", "").strip()[:100] or None
    try:
        summary = import_gift(course, text, now(), pool=pool)
    except ImportRefused as exc:
        message = f"Nothing was imported: {exc}."
        return _bank_page(course, error=message, text=pasted, status=400)
    skipped = summary["skipped"]
    note = f" Skipped {len(skipped)} (essays or descriptions)." if skipped else ""
    counts = ", ".join(f"{n} {t}" for t, n in summary["by_type"].items())
    flash(f"Imported {summary['imported']} questions ({counts}).{note}", "success")
    return redirect(url_for(".questions", slug=course.slug))


@bp.get("/courses/<slug>/questions.gift")
@owned_course
def export_questions(course: Course) -> Response:
    text, skipped = export_gift(course)
    response = make_response(text)
    response.mimetype = "text/plain"
    response.headers["Content-Disposition"] = f'attachment; filename="{course.slug}.gift"'
    if skipped:  # what GIFT cannot carry, for whoever scripts the download
        response.headers["X-LMS-Export-Notes"] = json.dumps([s.reason for s in skipped])
    return response
