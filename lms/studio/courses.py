"""The studio's course editor: a new course, a draft's fields (with the credit estimate
beside the claimed credits), its modules (Markdown with a preview, media by link or upload,
reordering) and the Markdown preview endpoint.

Every change is checked in full before anything is written and lands in one transaction:
a refused form re-renders with the trainer's input and the reason, and writes nothing.
Only a draft changes; a POST to any other version is a 409 with the lifecycle's reason.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.wrappers import Response

from lms.auth import current_learner
from lms.catalogue.models import Certification, Course, Media, Module, Provider
from lms.clock import now
from lms.db import session
from lms.rendering import format_number, render_markdown
from lms.studio import lifecycle
from lms.studio.access import owned_version, studio_required
from lms.studio.blueprint import bp
from lms.studio.course_form import CourseForm
from lms.studio.estimates import course_estimates
from lms.studio.media import (
    ACCEPT,
    ALLOWED_DESCRIPTION,
    MediaRefused,
    check_upload,
    describe_size,
    max_media_bytes,
    new_media,
    read_upload,
)
from lms.studio.module_form import ModuleForm
from lms.validation import CONTROL_CHARACTERS, Checked
from quizzes import Quiz, configure_quiz

MAX_TITLE_CHARS = 200
MAX_SUMMARY_CHARS = 5_000
MAX_BODY_CHARS = 100_000
MAX_MEDIA_URL_CHARS = 500
MAX_MEDIA_MINUTES = 600
MAX_MODULES = 200
#: Room for a module form's text fields on top of its file, before the upload is refused
#: unread (a 100 000-character body is at most 400 kB of UTF-8).
FORM_ALLOWANCE_BYTES = 1024 * 1024
REQUIRED_SCORE_MESSAGE = "The pass mark is a whole number from 1 to 100 (%)."


# ---------------------------------------------------------------------------------------------
# Checking input: every field, before anything is written.


def whole_number(raw: str) -> int | None:
    """ASCII digits only: str.isdigit() also takes "²", which int() refuses."""
    raw = raw.strip()
    return int(raw) if re.fullmatch(r"[0-9]{1,9}", raw) else None


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _check_title(raw: str, checked: Checked, label: str = "title") -> None:
    title = _one_line(raw)
    if not title or len(title) > MAX_TITLE_CHARS:
        checked.errors["title"] = f"Give a {label} of at most {MAX_TITLE_CHARS} characters."
    elif CONTROL_CHARACTERS.search(title):
        checked.errors["title"] = f"The {label} contains an invisible control character."
    checked.values["title"] = title


def _certifications_chosen(ids: list[str]) -> tuple[list[Certification], str | None]:
    if not ids:
        return [], "Choose at least one certification the course counts toward."
    if any(whole_number(i) is None for i in ids):
        return [], "Choose certifications from the list."
    wanted = {int(i) for i in ids}  # all checked just above
    found = list(
        session().scalars(
            select(Certification).where(Certification.id.in_(wanted)).order_by(Certification.code)
        )
    )
    if len(found) != len(wanted):
        return [], "One of the chosen certifications does not exist (any more); reload the page."
    return found, None


def check_course_form(form: MultiDict[str, str], *, with_pass_mark: bool) -> Checked:
    """The course fields of the new-course and edit forms."""
    checked = Checked()
    _check_title(form.get("title", ""), checked, "course title")
    summary = form.get("summary", "").strip()
    if len(summary) > MAX_SUMMARY_CHARS:
        checked.errors["summary"] = f"Keep the summary under {MAX_SUMMARY_CHARS} characters."
    checked.values["summary"] = summary
    provider = _one_line(form.get("provider", ""))
    if not provider or len(provider) > 200 or CONTROL_CHARACTERS.search(provider):
        checked.errors["provider"] = "Name the provider (at most 200 characters)."
    checked.values["provider"] = provider
    try:
        checked.values["credits"] = lifecycle.parse_credits(form.get("credits", ""))
    except lifecycle.LifecycleError as exc:
        checked.errors["credits"] = str(exc)
    certifications, problem = _certifications_chosen(form.getlist("certification"))
    if problem:
        checked.errors["certifications"] = problem
    checked.values["certifications"] = certifications
    if with_pass_mark:
        pass_mark = whole_number(form.get("pass_percent", ""))
        if pass_mark is None or not 1 <= pass_mark <= 100:
            checked.errors["pass_percent"] = REQUIRED_SCORE_MESSAGE
        else:
            checked.values["pass_percent"] = pass_mark
    return checked


def check_media_url(raw: str) -> str:
    """An https address of at most 500 characters, or ""; raises ValueError saying why not."""
    url = raw.strip()
    if not url:
        return ""
    if len(url) > MAX_MEDIA_URL_CHARS or any(c.isspace() for c in url):
        raise ValueError(
            f"The media link must be one address without spaces, at most "
            f"{MAX_MEDIA_URL_CHARS} characters."
        )
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme.lower() != "https" or not host:
        raise ValueError(
            "The media link must be a full https:// address (other kinds of link are refused)."
        )
    return url


def check_module_form(form: MultiDict[str, str]) -> Checked:
    checked = Checked()
    _check_title(form.get("title", ""), checked, "module title")
    # Browsers send \r\n; keep the text as typed otherwise.
    body = form.get("body", "").replace("\r\n", "\n")
    if not body.strip():
        checked.errors["body"] = "Write the module's text."
    elif len(body) > MAX_BODY_CHARS:
        checked.errors["body"] = (
            f"The text is {len(body):,} characters; a module holds at most {MAX_BODY_CHARS:,}. "
            "Split it into two modules."
        )
    checked.values["body"] = body
    try:
        checked.values["media_url"] = check_media_url(form.get("media_url", ""))
    except ValueError as exc:
        checked.errors["media_url"] = str(exc)
    checked.values["media_url_raw"] = form.get("media_url", "")
    minutes = whole_number(form.get("media_minutes", "") or "0")
    if minutes is None or minutes > MAX_MEDIA_MINUTES:
        checked.errors["media_minutes"] = (
            f"Media minutes are a whole number from 0 to {MAX_MEDIA_MINUTES}."
        )
    else:
        checked.values["media_minutes"] = minutes
    checked.values["media_minutes_raw"] = form.get("media_minutes", "")
    checked.values["remove_file"] = form.get("remove_file") == "1"
    return checked


# ---------------------------------------------------------------------------------------------
# Writing: one unit of work each; the view commits.


def final_quiz(course: Course) -> Quiz | None:
    return session().get(Quiz, course.final_quiz_id) if course.final_quiz_id else None


def apply_course_fields(course: Course, values: dict[str, Any]) -> None:
    course.title = values["title"]
    course.summary = values["summary"]
    course.provider = lifecycle.provider_named(values["provider"])
    course.credits = values["credits"]
    course.certifications = values["certifications"]
    course.credit_unit = values["certifications"][0].credit_unit
    quiz = final_quiz(course)
    if quiz is not None and "pass_percent" in values:
        configure_quiz(quiz, pass_percent=values["pass_percent"])


def modules_of(course: Course) -> list[Module]:
    """The version's modules in order, with their files' facts but not their bytes."""
    return list(
        session().scalars(
            select(Module)
            .where(Module.course_id == course.id)
            .order_by(Module.position)
            .options(
                selectinload(Module.media).load_only(
                    Media.id, Media.filename, Media.content_type, Media.size
                )
            )
        )
    )


def _renumber(modules: list[Module]) -> None:
    """Positions 1..n in the list's order. (course_id, position) is unique and checked row by
    row, so first move every module to a free negative position, then to its place."""
    db = session()
    for module in modules:
        module.position = -module.id
    db.flush()
    for position, module in enumerate(modules, start=1):
        module.position = position
    db.flush()


def delete_module(course: Course, module: Module) -> None:
    remaining = [m for m in modules_of(course) if m.id != module.id]
    session().delete(module)
    session().flush()
    _renumber(remaining)
    session().expire(course, ["modules"])


def move_module(course: Course, module: Module, direction: str) -> bool:
    """Swap with the neighbour above ("up") or below ("down"); False at either end."""
    modules = modules_of(course)
    index = next(i for i, m in enumerate(modules) if m.id == module.id)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(modules):
        return False
    modules[index], modules[other] = modules[other], modules[index]
    _renumber(modules)
    session().expire(course, ["modules"])
    return True


# ---------------------------------------------------------------------------------------------
# The credit estimate beside the claimed credits.


# ---------------------------------------------------------------------------------------------
# Pages.


def _form_choices() -> dict[str, Any]:
    return {
        "all_certifications": list(
            session().scalars(select(Certification).order_by(Certification.code))
        ),
        "providers": list(session().scalars(select(Provider.name).order_by(Provider.name))),
    }


def _versions_url(course: Course) -> str:
    """The course's versions page when it is mounted, otherwise the studio's front page."""
    if "lms.studio.course_versions" in current_app.view_functions:
        return url_for("lms.studio.course_versions", slug=course.slug)
    return url_for("lms.studio.index")


@bp.route("/courses/new", methods=["GET", "POST"], endpoint="course_new")
@studio_required
def course_new() -> Response:
    choices = _form_choices()
    form = _course_form(choices, with_pass_mark=False)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form.validate()
        checked = check_course_form(form.sent(), with_pass_mark=False)
        errors = checked.errors
        if not errors:
            try:
                course = lifecycle.create_draft(
                    owner_id=current_learner.id,
                    title=checked.values["title"],
                    summary=checked.values["summary"],
                    provider_name=checked.values["provider"],
                    credits=checked.values["credits"],
                    certifications=checked.values["certifications"],
                    now=now(),
                )
                session().commit()
            except lifecycle.LifecycleError as exc:
                session().rollback()
                errors["form"] = str(exc)
            except IntegrityError:  # the same new provider or slug created meanwhile
                session().rollback()
                errors["form"] = "Another change got there first; send the form again."
            else:
                flash(f"Created “{course.title}” as a draft: now add its modules.", "success")
                return redirect(
                    url_for("lms.studio.course_edit", slug=course.slug, version=course.version)
                )
    form.mark(errors)
    page = render_template("lms/studio/course_new.html", form=form, errors=errors, **choices)
    return make_response(page, 400 if errors else 200)


def _course_form(
    choices: dict[str, Any], *, with_pass_mark: bool, data: dict[str, Any] | None = None
) -> CourseForm:
    """The course's fields: what was sent on a POST, else ``data``."""
    form = CourseForm(data=data)
    form.offer(choices["all_certifications"], with_pass_mark=with_pass_mark)
    return form


def _course_values(course: Course, quiz: Quiz | None) -> dict[str, Any]:
    return {
        "title": course.title,
        "summary": course.summary,
        "provider": course.provider.name,
        "credits": format_number(course.credits),
        "certification": [str(c.id) for c in course.certifications],
        "pass_percent": str(quiz.pass_percent) if quiz else "",
    }


def _edit_page(
    course: Course,
    *,
    form: CourseForm | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The draft's page; ``form``: the details as sent (else the course's own)."""
    quiz = final_quiz(course)
    choices = _form_choices()
    if form is None:
        form = _course_form(
            choices, with_pass_mark=quiz is not None, data=_course_values(course, quiz)
        )
    form.mark(errors or {})
    modules = modules_of(course)
    content, estimates = course_estimates(course, modules, quiz)
    page = render_template(
        "lms/studio/course_edit.html",
        course=course,
        quiz=quiz,
        modules=modules,
        form=form,
        errors=errors or {},
        editable=lifecycle.is_editable(course),
        locked_reason=_locked_reason(course),
        content=content,
        estimates=estimates,
        versions_url=_versions_url(course),
        **choices,
    )
    return make_response(page, status)


def _locked_reason(course: Course) -> str:
    try:
        lifecycle.require_editable(course)
    except lifecycle.LifecycleError as exc:
        return str(exc)
    return ""


def _require_draft(course: Course) -> None:
    """A POST that would change a version other than a draft: 409 with the reason."""
    try:
        lifecycle.require_editable(course)
    except lifecycle.LifecycleError as exc:
        abort(409, str(exc))


@bp.route("/courses/<slug>/v<int:version>/edit", methods=["GET", "POST"], endpoint="course_edit")
@owned_version
def course_edit(course: Course) -> Response:
    if request.method == "GET":
        return _edit_page(course)
    _require_draft(course)
    quiz = final_quiz(course)
    form = _course_form(_form_choices(), with_pass_mark=quiz is not None)
    form.validate()
    checked = check_course_form(form.sent(), with_pass_mark=quiz is not None)
    if checked.errors:
        return _edit_page(course, form=form, errors=checked.errors, status=400)
    try:
        apply_course_fields(course, checked.values)
        session().commit()
    except (lifecycle.LifecycleError, ValueError) as exc:  # QuizDefinitionError is a ValueError
        session().rollback()
        return _edit_page(course, form=form, errors={"form": str(exc)}, status=400)
    except IntegrityError:  # the same new provider created by another request meanwhile
        session().rollback()
        abort(409, "Another change got there first; reload the page and try again.")
    flash("Saved the course's details.", "success")
    return redirect(url_for("lms.studio.course_edit", slug=course.slug, version=course.version))


def _module_at(course: Course, position: int) -> Module:
    module = None
    if 0 < position < 2**31:
        module = (
            session()
            .scalars(
                select(Module).where(Module.course_id == course.id, Module.position == position)
            )
            .first()
        )
    if module is None:
        abort(404, "This version has no module at that position.")
    return module


def _module_page(
    course: Course,
    module: Module | None,
    *,
    form: ModuleForm | None = None,
    errors: dict[str, str] | None = None,
    preview: str | None = None,
    status: int = 200,
) -> Response:
    """The module's page; ``form``: what was sent (else the module's own values)."""
    if form is None:
        form = ModuleForm(
            data={
                "title": module.title if module else "",
                "body": module.body if module else "",
                "media_url": module.media_url if module else "",
                "media_minutes": str(module.media_minutes if module else 0),
            }
        )
    form.mark(errors or {})
    page = render_template(
        "lms/studio/module_edit.html",
        course=course,
        module=module,
        form=form,
        errors=errors or {},
        preview=preview,
        editable=lifecycle.is_editable(course),
        locked_reason=_locked_reason(course),
        accept=ACCEPT,
        allowed_types=ALLOWED_DESCRIPTION,
        max_upload=describe_size(max_media_bytes()),
        max_body=MAX_BODY_CHARS,
        max_minutes=MAX_MEDIA_MINUTES,
    )
    return make_response(page, status)


def _save_module(course: Course, module: Module | None) -> Response:
    """The module form's POST, for a new module (``module`` None) or an existing one."""
    _require_draft(course)
    limit = max_media_bytes()
    if (request.content_length or 0) > limit + FORM_ALLOWANCE_BYTES:
        abort(413, f"The upload is larger than the limit of {describe_size(limit)}.")
    form = ModuleForm()
    form.validate()
    checked = check_module_form(form.sent())
    if request.form.get("action") == "preview":  # the preview without JavaScript
        note = ""
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            note = "Files are uploaded when you save: choose the file again then."
        return _module_page(
            course,
            module,
            form=form,
            errors={"file": note} if note else None,
            preview=render_markdown(checked.values["body"]),
        )
    errors = dict(checked.errors)
    status = 400
    upload: FileStorage | None = request.files.get("file")
    file_checked: tuple[str, str, bytes] | None = None
    if upload is not None and upload.filename:
        data = read_upload(upload, limit)
        try:
            name, content_type = check_upload(upload.filename, data, limit)
            file_checked = (name, content_type, data)
        except MediaRefused as exc:
            errors["file"] = str(exc)
            status = exc.status
    if module is None and not errors:
        count = session().scalar(select(func.count()).where(Module.course_id == course.id))
        if (count or 0) >= MAX_MODULES:
            errors["form"] = f"A course holds at most {MAX_MODULES} modules."
    if errors:
        if file_checked is not None:  # said plainly: the file is not kept
            errors["file"] = "Choose the file again: a file is saved only with a complete form."
        return _module_page(course, module, form=form, errors=errors, status=status)

    values = checked.values
    db = session()
    try:
        if module is None:
            last = db.scalar(select(func.max(Module.position)).where(Module.course_id == course.id))
            module = Module(course_id=course.id, position=(last or 0) + 1)
            db.add(module)
        module.title = values["title"]
        module.body = values["body"]
        module.media_url = values["media_url"]
        module.media_minutes = values["media_minutes"]
        if file_checked is not None:
            name, content_type, data = file_checked
            module.media = new_media(
                course_slug=course.slug,
                filename=name,
                content_type=content_type,
                data=data,
                uploaded_by_id=current_learner.id,
                now=now(),
            )
        elif values["remove_file"]:
            module.media = None
        db.commit()
    except IntegrityError:  # another tab added or moved a module meanwhile
        db.rollback()
        abort(409, "The modules changed while you were editing; reload the page and try again.")
    flash(f"Saved module {module.position}, “{module.title}”.", "success")
    return redirect(url_for("lms.studio.course_edit", slug=course.slug, version=course.version))


@bp.route(
    "/courses/<slug>/v<int:version>/modules/new", methods=["GET", "POST"], endpoint="module_new"
)
@owned_version
def module_new(course: Course) -> Response:
    if request.method == "GET":
        return _module_page(course, None)
    return _save_module(course, None)


@bp.route(
    "/courses/<slug>/v<int:version>/modules/<int:position>/edit",
    methods=["GET", "POST"],
    endpoint="module_edit",
)
@owned_version
def module_edit(course: Course, position: int) -> Response:
    module = _module_at(course, position)
    if request.method == "GET":
        return _module_page(course, module)
    return _save_module(course, module)


@bp.post("/courses/<slug>/v<int:version>/modules/<int:position>/delete", endpoint="module_delete")
@owned_version
def module_delete(course: Course, position: int) -> Response:
    _require_draft(course)
    module = _module_at(course, position)
    title = module.title
    try:
        delete_module(course, module)
        session().commit()
    except IntegrityError:
        session().rollback()
        abort(409, "The modules changed while you were editing; reload the page and try again.")
    flash(f"Deleted module “{title}”; the modules after it moved up.", "success")
    return redirect(url_for("lms.studio.course_edit", slug=course.slug, version=course.version))


@bp.post("/courses/<slug>/v<int:version>/modules/<int:position>/move", endpoint="module_move")
@owned_version
def module_move(course: Course, position: int) -> Response:
    _require_draft(course)
    direction = request.form.get("direction", "")
    if direction not in ("up", "down"):
        abort(400, "Move a module up or down.")
    module = _module_at(course, position)
    try:
        moved = move_module(course, module, direction)
        session().commit()
    except IntegrityError:
        session().rollback()
        abort(409, "The modules changed while you were editing; reload the page and try again.")
    if moved:
        flash(f"Moved “{module.title}” to position {module.position}.", "success")
    target = url_for("lms.studio.course_edit", slug=course.slug, version=course.version)
    return redirect(f"{target}#modules")


@bp.post("/preview", endpoint="module_preview")
@studio_required
def module_preview() -> Response:
    """The module body's Markdown as the learner will see it (sanitized), for studio.js."""
    text = request.form.get("body", "")
    if len(text) > MAX_BODY_CHARS:
        response = jsonify(
            error=f"The text is longer than {MAX_BODY_CHARS:,} characters; split the module."
        )
        response.status_code = 413
        return response
    return jsonify(html=str(render_markdown(text.replace("\r\n", "\n"))))
