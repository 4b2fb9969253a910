"""The studio's quiz editor: a version's final quiz, its settings and draw rules, each question
in a form of its own type, and GIFT in and out.

Only a draft version changes: on any other version the pages are read-only and every POST is
refused with 409 and the lifecycle's reason, before anything is read from the form. Every
change is one transaction, checked by the quiz engine (``build_question``, ``configure_quiz``)
before the commit; a refusal rolls back and shows the author's input again with the reason.
"""

from __future__ import annotations

import json
from typing import Any

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from lms.accounts.forms import ActionForm
from lms.catalogue.models import Course
from lms.clock import now
from lms.db import session
from lms.learning.operations import final_quiz_of
from lms.learning.quiz_bank import MAX_GIFT_BYTES, ImportRefused, export_gift, import_gift
from lms.studio import question_forms as forms
from lms.studio.access import owned_version
from lms.studio.blueprint import bp
from lms.studio.lifecycle import STATE_LABELS, LifecycleError, is_editable, require_editable
from quizzes import Quiz, QuizDefinitionError, question_spec
from quizzes.authoring import DEFAULT_POOL, add_questions, build_question, configure_quiz
from quizzes.models import Question
from quizzes.types import QUESTION_TYPES

QUIZ = "/courses/<slug>/v<int:version>/quiz"
QUESTION = QUIZ + "/questions/<int:question_id>"


# Reading and guarding -------------------------------------------------------------------------


def _refuse_unless_editable(course: Course) -> None:
    """Every POST starts here: a version past draft is never changed (409, with the reason)."""
    try:
        require_editable(course)
    except LifecycleError as exc:
        abort(409, str(exc))


def _question(course: Course, question_id: int) -> Question:
    """The question, if it belongs to this version's quiz (else 404, like a missing one)."""
    question = session().get(Question, question_id) if 0 < question_id < 2**31 else None
    if question is None or course.final_quiz_id is None or question.quiz_id != course.final_quiz_id:
        abort(404, "This quiz has no such question.")
    return question


def _quiz_for_writing(course: Course) -> Quiz:
    """The version's final quiz, created empty if it has none yet."""
    quiz = final_quiz_of(course)
    if quiz is None:
        quiz = Quiz(title=f"{course.title}: final quiz", created_at=now(), draw_rules=[])
        session().add(quiz)
        session().flush()
        course.final_quiz_id = quiz.id
    return quiz


def _engine_message(exc: Exception) -> str:
    """The engine names a question by its position ("question 7: ..."); the form is one."""
    text = str(exc)
    if text.startswith("question ") and ": " in text:
        text = text.split(": ", 1)[1]
    return text[:1].upper() + text[1:]


def _check_draw_rules(quiz: Quiz) -> None:
    """The quiz's draw rules still possible with its questions as they are now (raises)."""
    configure_quiz(quiz, draw_rules=list(quiz.draw_rules or []))


def _renumber(questions: list[Question]) -> None:
    for position, question in enumerate(questions, start=1):
        question.position = position


def overview_url(course: Course, anchor: str | None = None) -> str:
    return url_for(
        "lms.studio.quiz_overview", slug=course.slug, version=course.version, _anchor=anchor
    )


# The overview: settings, pools, draw rules, questions, GIFT --------------------------------------


def _overview(
    course: Course,
    *,
    settings: forms.SettingsForm | None = None,
    settings_error: str = "",
    error: str = "",
    import_error: str = "",
    gift_text: str = "",
    status: int = 200,
) -> Response:
    quiz = final_quiz_of(course)
    questions = list(quiz.questions) if quiz else []
    pools: dict[str, dict[str, Any]] = {}
    for question in questions:
        pool = pools.setdefault(question.pool, {"count": 0, "points": 0, "tags": set()})
        pool["count"] += 1
        pool["points"] += question.points
        pool["tags"].update(question.tags or [])
    if settings is None and quiz is not None:
        settings = forms.settings_of(quiz)
    page = render_template(
        "lms/studio/quiz_overview.html",
        course=course,
        quiz=quiz,
        questions=questions,
        pools=pools,
        settings=settings.padded() if settings else None,
        settings_error=settings_error,
        error=error,
        import_error=import_error,
        gift_text=gift_text,
        editable=is_editable(course),
        state=STATE_LABELS[course.status],
        readonly_reason=_readonly_reason(course),
        types=[QUESTION_TYPES[name] for name in forms.TYPE_ORDER],
        type_labels={name: qtype.label for name, qtype in QUESTION_TYPES.items()},
        choices=forms.CHOICES,
        form=ActionForm(),
    )
    return make_response(page, status)


def _readonly_reason(course: Course) -> str:
    try:
        require_editable(course)
    except LifecycleError as exc:
        return str(exc)
    return ""


@bp.get(QUIZ)
@owned_version
def quiz_overview(course: Course) -> Response:
    return _overview(course)


@bp.post(QUIZ + "/settings")
@owned_version
def quiz_settings(course: Course) -> Response:
    """Every setting and draw rule at once, or none (configure_quiz checks all first)."""
    _refuse_unless_editable(course)
    typed = forms.read_settings(request.form)
    try:
        configure_quiz(_quiz_for_writing(course), **forms.settings_values(typed))
        session().commit()
    except QuizDefinitionError as exc:
        session().rollback()
        return _overview(course, settings=typed, settings_error=_engine_message(exc), status=400)
    flash("The quiz settings are saved.", "success")
    return redirect(overview_url(course, "settings"))


@bp.post(QUIZ + "/import")
@owned_version
def quiz_import(course: Course) -> Response:
    """GIFT from an uploaded file or the text box; every question is added, or none."""
    _refuse_unless_editable(course)
    too_large = f"The file is larger than {MAX_GIFT_BYTES // 1024 // 1024} MB."
    if (request.content_length or 0) > MAX_GIFT_BYTES + 64 * 1024:
        abort(413, too_large)
    upload = request.files.get("file")
    pasted = request.form.get("text", "")
    if upload and upload.filename:
        if not upload.filename.lower().endswith((".gift", ".txt")):
            return _overview(course, import_error="Upload a GIFT file (.gift or .txt).", status=400)
        data = upload.read(MAX_GIFT_BYTES + 1)
        if len(data) > MAX_GIFT_BYTES:
            abort(413, too_large)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _overview(course, import_error="The file is not UTF-8 text.", status=400)
    else:
        text = pasted
    if not text.strip():
        return _overview(course, import_error="Choose a GIFT file or paste questions.", status=400)
    pool = request.form.get("pool", "").strip()[:100] or None
    try:
        summary = import_gift(course, text, now(), pool=pool)
    except ImportRefused as exc:
        message = f"Nothing was imported: {exc}."
        return _overview(course, import_error=message, gift_text=pasted, status=400)
    skipped = summary["skipped"]
    note = f" Skipped {len(skipped)} (essays or descriptions)." if skipped else ""
    counts = ", ".join(f"{n} {t}" for t, n in summary["by_type"].items())
    flash(f"Imported {summary['imported']} questions ({counts}).{note}", "success")
    return redirect(overview_url(course, "questions"))


@bp.get(QUIZ + "/export.gift")
@owned_version
def quiz_export(course: Course) -> Response:
    """The version's questions as GIFT, for every version (published ones too)."""
    text, skipped = export_gift(course)
    response = make_response(text)
    response.mimetype = "text/plain"
    filename = f"{course.slug}-v{course.version}.gift"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if skipped:  # what GIFT cannot carry, for whoever scripts the download
        response.headers["X-LMS-Export-Notes"] = json.dumps([s.reason for s in skipped])
    return response


# One question -----------------------------------------------------------------------------------


def _question_page(
    course: Course,
    form: forms.QuestionForm,
    *,
    question: Question | None = None,
    error: str = "",
    status: int = 200,
    extra_rows: int = 2,
) -> Response:
    quiz = final_quiz_of(course)
    page = render_template(
        "lms/studio/question_form.html",
        course=course,
        question=question,
        qform=forms.padded(form, extra_rows),
        pools=sorted({q.pool for q in quiz.questions} | {DEFAULT_POOL}) if quiz else [DEFAULT_POOL],
        error=error,
        editable=is_editable(course),
        readonly_reason=_readonly_reason(course),
        form=ActionForm(),
    )
    return make_response(page, status)


def _type_from_query() -> str:
    qtype = request.args.get("type", "")
    if qtype not in QUESTION_TYPES or qtype not in forms.ROW_GROUPS:
        abort(404, "There is no such question type.")
    return qtype


@bp.get(QUIZ + "/questions/new")
@owned_version
def question_new(course: Course) -> Response:
    if not request.args.get("type"):  # no type chosen: the list of types to choose from
        return redirect(overview_url(course, "add-question"))
    return _question_page(course, forms.blank(_type_from_query()))


@bp.post(QUIZ + "/questions/new")
@owned_version
def question_create(course: Course) -> Response:
    _refuse_unless_editable(course)
    typed = forms.read_form(_type_from_query(), request.form)
    if request.form.get("more_rows"):  # the no-script way to get more blank rows
        return _question_page(course, typed, extra_rows=5)
    try:
        spec = forms.to_spec(typed)
        [question] = add_questions(session(), _quiz_for_writing(course), [spec])
        session().flush()
        session().commit()
    except (QuizDefinitionError, forms.FormError) as exc:
        session().rollback()
        return _question_page(course, typed, error=_engine_message(exc), status=400)
    flash(f"Question {question.position} is added.", "success")
    return redirect(overview_url(course, f"question-{question.id}"))


@bp.get(QUESTION + "/edit")
@owned_version
def question_edit(course: Course, question_id: int) -> Response:
    question = _question(course, question_id)
    return _question_page(course, forms.from_spec(question_spec(question)), question=question)


@bp.post(QUESTION + "/edit")
@owned_version
def question_update(course: Course, question_id: int) -> Response:
    """Replace the question's definition in place (same id, same place in the quiz)."""
    _refuse_unless_editable(course)
    question = _question(course, question_id)
    typed = forms.read_form(question.qtype, request.form)
    if request.form.get("more_rows"):
        return _question_page(course, typed, question=question, extra_rows=5)
    try:
        built = build_question(
            forms.to_spec(typed), position=question.position, default_pool=DEFAULT_POOL
        )
        for name in ("title", "prompt", "points", "config", "explanation", "pool", "tags"):
            setattr(question, name, getattr(built, name))
        try:
            _check_draw_rules(question.quiz)  # a new pool or tags may starve a rule
        except QuizDefinitionError as exc:
            raise QuizDefinitionError(
                f"the draw rules need this question where it was ({exc}). "
                "Change the draw rules first."
            ) from None
        session().commit()
    except (QuizDefinitionError, forms.FormError) as exc:
        session().rollback()
        question = _question(course, question_id)
        return _question_page(
            course, typed, question=question, error=_engine_message(exc), status=400
        )
    flash(f"Question {question.position} is saved.", "success")
    return redirect(overview_url(course, f"question-{question.id}"))


@bp.post(QUESTION + "/delete")
@owned_version
def question_delete(course: Course, question_id: int) -> Response:
    """Delete a question, unless a draw rule needs it; the others are renumbered."""
    _refuse_unless_editable(course)
    question = _question(course, question_id)
    quiz = question.quiz
    position = question.position
    questions = [q for q in quiz.questions if q.id != question.id]
    quiz.questions.remove(question)
    _renumber(questions)
    try:
        _check_draw_rules(quiz)
        session().commit()
    except QuizDefinitionError as exc:
        session().rollback()
        message = (
            f"Question {position} was not deleted: the draw rules need it "
            f"({_engine_message(exc)}). Change the draw rules first."
        )
        return _overview(course, error=message, status=409)
    flash(f"Question {position} is deleted.", "success")
    return redirect(overview_url(course, "questions"))


@bp.post(QUESTION + "/move")
@owned_version
def question_move(course: Course, question_id: int) -> Response:
    """Move a question one place up or down (the order of an undrawn quiz's questions)."""
    _refuse_unless_editable(course)
    question = _question(course, question_id)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400, "Move a question up or down.")
    questions = list(question.quiz.questions)
    index = questions.index(question)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(questions):
        questions[index], questions[other] = questions[other], questions[index]
        _renumber(questions)
        session().commit()
    return redirect(overview_url(course, f"question-{question_id}"))
