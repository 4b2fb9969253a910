"""The studio's course and module editor: creating a course, editing a draft's fields and
modules, the Markdown preview, the credit estimate beside the claim; refusals that write
nothing; hostile Markdown; and who may use any of it."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import DEMO_SLUG, Web, signed_in
from tests.html_safety import script_hazards

V1 = f"/studio/courses/{DEMO_SLUG}/v1"  # the published version: read only


def _db(app):  # noqa: ANN202
    return app.extensions["lms"].db.session


def certification_ids(app) -> dict[str, int]:
    from lms.catalogue.models import Certification

    with app.app_context():
        return {c.code: c.id for c in _db(app).scalars(select(Certification))}


def counts(app) -> dict[str, int]:
    from lms.catalogue.models import Course, Media, Module, Provider
    from quizzes import Question, Quiz

    with app.app_context():
        return {
            model.__name__: _db(app).scalar(select(func.count()).select_from(model))
            for model in (Course, Module, Media, Provider, Quiz, Question)
        }


def version_state(app, slug: str = DEMO_SLUG, version: int = 2) -> dict[str, Any]:
    """Everything the editor can change on one version, to compare before and after."""
    from lms.catalogue.models import Course
    from quizzes import Quiz

    with app.app_context():
        course = (
            _db(app)
            .scalars(select(Course).where(Course.slug == slug, Course.version == version))
            .one()
        )
        quiz = _db(app).get(Quiz, course.final_quiz_id)
        return {
            "title": course.title,
            "summary": course.summary,
            "provider": course.provider.name,
            "credits": course.credits,
            "unit": course.credit_unit,
            "certifications": [c.code for c in course.certifications],
            "pass_percent": quiz.pass_percent,
            "modules": [
                (m.position, m.title, m.body, m.media_url, m.media_minutes, m.media_id)
                for m in course.modules
            ],
        }


def page_text(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def alert(response) -> str:  # noqa: ANN001
    """The text of the page's role="alert" region (the form's errors)."""
    match = re.search(r'role="alert">(.*?)</div>', page_text(response), re.S)
    assert match, "the page shows no alert"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


def own_scripts_removed(html: str) -> str:
    """The page without its own script tags (script files from this site), which the CSP
    allows; what remains must hold no script at all."""
    return re.sub(r'<script src="/_static/[a-z]+\.js" defer></script>', "", html)


# --- creating a course --------------------------------------------------------------------


def new_course_form(app, **changes: Any) -> dict[str, Any]:
    ids = certification_ids(app)
    form = {
        "title": "Odour Control 101",
        "summary": "Finding and removing the source of odours.",
        "provider": "Northfield Restoration Academy",
        "credits": "1.5",
        "certification": [str(ids["CCT"]), str(ids["WRT"])],
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_a_trainer_creates_a_course_as_a_draft(app, trainer):
    page = trainer.get("/studio/courses/new")
    assert page.status_code == 200
    html = page_text(page)
    assert '<datalist id="provider-names">' in html and "Northfield" in html
    assert 'for="title"' in html and 'for="credits"' in html

    before = counts(app)
    response = trainer.submit(
        "/studio/courses/new", new_course_form(app, provider="Brand New Provider Ltd")
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/studio/courses/odour-control-101/v1/edit")
    after = counts(app)
    assert after["Course"] == before["Course"] + 1
    assert after["Quiz"] == before["Quiz"] + 1
    assert after["Provider"] == before["Provider"] + 1
    state = version_state(app, "odour-control-101", 1)
    assert state["title"] == "Odour Control 101"
    assert state["credits"] == Decimal("1.5")
    assert state["certifications"] == ["CCT", "WRT"]
    assert state["provider"] == "Brand New Provider Ltd"
    assert state["modules"] == []

    from lms.catalogue.models import Course

    with app.app_context():
        course = _db(app).scalars(select(Course).where(Course.slug == "odour-control-101")).one()
        assert course.status == "draft"
        from lms.accounts.models import User

        assert _db(app).get(User, course.owner_id).email == "trainer@example.com"
    edit = trainer.get("/studio/courses/odour-control-101/v1/edit")
    assert edit.status_code == 200 and "Created “Odour Control 101” as a draft" in page_text(edit)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "   "}, "Give a course title"),
        ({"title": "x" * 201}, "at most 200 characters"),
        ({"title": "Bad\x01title"}, "control character"),
        ({"provider": ""}, "Name the provider"),
        ({"credits": "lots"}, "Credits must be a number"),
        ({"credits": "0"}, "more than 0"),
        ({"credits": "1.234"}, "at most two decimals"),
        ({"credits": "NaN"}, "Credits must be"),
        ({"certification": None}, "Choose at least one certification"),
        ({"certification": ["999999"]}, "does not exist"),
        ({"certification": ["1; DROP TABLE"]}, "Choose certifications from the list"),
        ({"summary": "s" * 5001}, "summary"),
    ],
)
def test_a_refused_new_course_writes_nothing(app, trainer, changes, message):
    before = counts(app)
    response = trainer.submit("/studio/courses/new", new_course_form(app, **changes))
    assert response.status_code == 400
    assert message in alert(response)
    assert counts(app) == before
    # The trainer's input is given back to correct.
    if "summary" not in changes:
        assert "Finding and removing the source of odours." in page_text(response)


def test_the_new_course_form_keeps_the_chosen_certifications(app, trainer):
    ids = certification_ids(app)
    response = trainer.submit(
        "/studio/courses/new",
        new_course_form(app, credits="x", certification=[str(ids["WRT"])]),
    )
    html = page_text(response)
    assert re.search(rf'<input(?=[^>]*\bchecked)[^>]*value="{ids["WRT"]}"', html)
    assert not re.search(rf'<input(?=[^>]*\bchecked)[^>]*value="{ids["CCT"]}"', html)


# --- editing a draft's fields -----------------------------------------------------------------


def edit_form(app, **changes: Any) -> dict[str, Any]:
    ids = certification_ids(app)
    form = {
        "title": "Hot-Water Extraction, Revised",
        "summary": "A new summary.",
        "provider": "Another Provider",
        "credits": "0.5",
        "certification": [str(ids["WRT"])],
        "pass_percent": "80",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_the_owner_edits_a_drafts_fields_and_pass_mark(app, trainer, draft):
    published_before = version_state(app, version=1)
    response = trainer.submit(f"{draft}/edit", edit_form(app))
    assert response.status_code == 302
    state = version_state(app)
    assert state["title"] == "Hot-Water Extraction, Revised"
    assert state["summary"] == "A new summary."
    assert state["provider"] == "Another Provider"
    assert state["credits"] == Decimal("0.5")
    assert state["certifications"] == ["WRT"]
    assert state["pass_percent"] == 80
    # The published version learners use is untouched.
    assert version_state(app, version=1) == published_before
    page = page_text(trainer.get(f"{draft}/edit"))
    assert "Saved the course" in page and 'value="Hot-Water Extraction, Revised"' in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Give a course title"),
        ({"credits": "-1"}, "more than 0"),
        ({"credits": "1e9"}, "at most 99"),
        ({"certification": None}, "Choose at least one certification"),
        ({"pass_percent": "101"}, "pass mark"),
        ({"pass_percent": "0"}, "pass mark"),
        ({"pass_percent": "seventy"}, "pass mark"),
        ({"pass_percent": "\u00b2"}, "pass mark"),  # a digit to str.isdigit(), not to int()
        ({"certification": ["\u00b2"]}, "Choose certifications from the list"),
        ({"provider": "p" * 201}, "Name the provider"),
    ],
)
def test_a_refused_edit_changes_nothing_and_keeps_the_input(app, trainer, draft, changes, message):
    before_counts, before = counts(app), version_state(app)
    response = trainer.submit(f"{draft}/edit", edit_form(app, **changes))
    assert response.status_code == 400
    assert message in alert(response)
    assert version_state(app) == before
    assert counts(app) == before_counts  # not even the new provider
    html = page_text(response)
    if "summary" not in changes:
        assert "A new summary." in html  # the other fields as typed


def test_one_bad_field_among_good_ones_saves_none_of_them(app, trainer, draft):
    before = version_state(app)
    response = trainer.submit(
        f"{draft}/edit", edit_form(app, title="A Perfectly Good Title", credits="zero")
    )
    assert response.status_code == 400
    assert version_state(app)["title"] == before["title"]


# --- the credit estimate --------------------------------------------------------------------


def _create(app, web: Web, **changes: Any) -> str:
    response = web.submit("/studio/courses/new", new_course_form(app, **changes))
    assert response.status_code == 302, page_text(response)
    return response.headers["Location"].removesuffix("/edit")


def _add_module(web: Web, course: str, **fields: Any) -> Any:
    data = {"title": "A module", "body": "Some text.", "media_url": "", "media_minutes": "0"}
    data.update(fields)
    return web.submit(f"{course}/modules/new", data)


def estimate_text(response) -> str:  # noqa: ANN001
    match = re.search(
        r'<div class="estimate" id="credit-estimate">(.*?)\n</div>', page_text(response), re.S
    )
    assert match, "no estimate on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


def test_the_estimate_sits_beside_the_claim_and_warns_when_it_is_exceeded(app, trainer):
    ids = certification_ids(app)
    course = _create(app, trainer, credits="1", certification=[str(ids["CCT"])])
    # 1800 words (10 min) + 10 media minutes, no questions: 20 minutes, 0 CEC at 60 per credit.
    assert _add_module(trainer, course, body="word " * 1800, media_minutes="10").status_code == 302
    text = estimate_text(trainer.get(f"{course}/edit"))
    assert "1 800 words, 10 media minutes, 0 quiz questions: 20.0 minutes" in text
    assert "Estimate: 0 CEC (60 min per credit, in steps of 0.5; CCT)" in text
    assert "Warning: the claimed 1 CEC is more than this estimate" in text

    # 5400 words with the heading (30 min) + 30 min more: 80 minutes, 1 CEC; the claim of 1
    # is supported.
    _add_module(trainer, course, body="# Heading\n\n" + "more " * 5399, media_minutes="30")
    text = estimate_text(trainer.get(f"{course}/edit"))
    assert "7 200 words, 40 media minutes, 0 quiz questions: 80.0 minutes" in text
    assert "Estimate: 1 CEC" in text
    assert "Warning" not in text


def test_each_distinct_regime_gets_its_own_estimate(app, trainer):
    from lms.catalogue.models import Certification

    ids = certification_ids(app)
    with app.app_context():
        wrt = _db(app).get(Certification, ids["WRT"])
        wrt.minutes_per_credit = 420  # the older "1 CEC = 7 hours" rule
        _db(app).commit()
    course = _create(app, trainer, credits="0.5", certification=[str(ids["CCT"]), str(ids["WRT"])])
    _add_module(trainer, course, body="x", media_minutes="45")  # 45 min and 1 word
    text = estimate_text(trainer.get(f"{course}/edit"))
    assert "Estimate: 0.5 CEC (60 min per credit, in steps of 0.5; CCT)" in text
    assert "Estimate: 0 CEC (420 min per credit, in steps of 0.5; WRT)" in text
    assert text.count("Warning") == 1  # only under the 7-hour rule


def test_the_estimate_counts_the_final_quizs_questions(app, trainer, draft):
    from lms.catalogue.models import Course
    from lms.studio.estimator import count_words
    from quizzes import Question

    with app.app_context():
        course = (
            _db(app)
            .scalars(select(Course).where(Course.slug == DEMO_SLUG, Course.version == 2))
            .one()
        )
        questions = _db(app).scalar(
            select(func.count()).where(Question.quiz_id == course.final_quiz_id)
        )
        words = sum(count_words(m.body) for m in course.modules)
    assert questions > 0
    text = estimate_text(trainer.get(f"{draft}/edit"))
    assert f"{questions} quiz question" in text
    assert f"{words:,}".replace(",", " ") + " word" in text


# --- modules --------------------------------------------------------------------------------


def test_modules_are_added_edited_moved_and_deleted(app, trainer, draft):
    start = version_state(app)["modules"]
    n = len(start)
    assert n >= 3

    response = _add_module(
        trainer,
        draft,
        title="Safety first",
        body="Wear **gloves**.",
        media_minutes="5",
        media_url="https://video.example.org/safety",
    )
    assert response.status_code == 302
    modules = version_state(app)["modules"]
    assert modules[-1] == (
        n + 1,
        "Safety first",
        "Wear **gloves**.",
        "https://video.example.org/safety",
        5,
        None,
    )

    edit = f"{draft}/modules/{n + 1}/edit"
    page = trainer.get(edit)
    assert page.status_code == 200 and "Wear **gloves**." in page_text(page)
    response = trainer.submit(
        edit,
        {
            "title": "Safety, first",
            "body": "Line 1\r\nLine 2",
            "media_url": "",
            "media_minutes": "0",
        },
    )
    assert response.status_code == 302
    assert version_state(app)["modules"][-1][1:5] == ("Safety, first", "Line 1\nLine 2", "", 0)

    # Move it up twice, then down once: it ends one place above the end.
    trainer.submit(edit, {"direction": "up"}, action=f"{draft}/modules/{n + 1}/move")
    trainer.submit(edit, {"direction": "up"}, action=f"{draft}/modules/{n}/move")
    trainer.submit(edit, {"direction": "down"}, action=f"{draft}/modules/{n - 1}/move")
    titles = [m[1] for m in version_state(app)["modules"]]
    assert titles == [m[1] for m in start[:-1]] + ["Safety, first", start[-1][1]]

    # The first module cannot go further up; nothing changes.
    trainer.submit(edit, {"direction": "up"}, action=f"{draft}/modules/1/move")
    assert [m[1] for m in version_state(app)["modules"]] == titles

    # Deleting the second closes the gap: positions stay 1..n.
    response = trainer.submit(edit, action=f"{draft}/modules/2/delete")
    assert response.status_code == 302
    modules = version_state(app)["modules"]
    assert [m[0] for m in modules] == list(range(1, n + 1))
    assert [m[1] for m in modules] == titles[:1] + titles[2:]


def test_the_edit_page_lists_modules_with_buttons_that_work_without_script(app, trainer, draft):
    html = page_text(trainer.get(f"{draft}/edit"))
    assert html.count('name="direction" value="up"') == len(version_state(app)["modules"]) - 1
    assert 'value="down"' in html and ">Delete<" in html and "Add a module" in html
    assert "style=" not in html and "<script>" not in html


def test_a_move_needs_a_direction(app, trainer, draft):
    before = version_state(app)
    response = trainer.submit(
        f"{draft}/edit", {"direction": "sideways"}, action=f"{draft}/modules/1/move"
    )
    assert response.status_code == 400
    assert version_state(app) == before


@pytest.mark.parametrize(
    ("changes", "message", "status"),
    [
        ({"title": ""}, "Give a module title", 400),
        ({"body": "   "}, "Write the module", 400),
        ({"body": "x" * 100_001}, "at most 100,000", 400),
        ({"media_url": "http://video.example.org/a"}, "https://", 400),
        ({"media_url": "javascript:alert(1)"}, "https://", 400),
        ({"media_url": "https://"}, "https://", 400),
        ({"media_url": "https://exa mple.org/"}, "without spaces", 400),
        ({"media_url": "https://[::1"}, "https://", 400),
        ({"media_minutes": "601"}, "from 0 to 600", 400),
        ({"media_minutes": "-1"}, "from 0 to 600", 400),
        ({"media_minutes": "ten"}, "from 0 to 600", 400),
        ({"media_minutes": "\u0663"}, "from 0 to 600", 400),  # an Arabic-Indic three
    ],
)
def test_a_refused_module_changes_nothing(app, trainer, draft, changes, message, status):
    data = {"title": "T", "body": "B", "media_url": "", "media_minutes": "0", **changes}
    before_counts, before = counts(app), version_state(app)
    for path in (f"{draft}/modules/new", f"{draft}/modules/1/edit"):
        response = trainer.submit(path, data)
        assert response.status_code == status
        assert message in alert(response)
        assert version_state(app) == before
        assert counts(app) == before_counts


def test_a_missing_module_is_a_404(app, trainer, draft):
    assert trainer.get(f"{draft}/modules/99/edit").status_code == 404
    assert trainer.get(f"{draft}/modules/0/edit").status_code == 404
    assert trainer.get(f"{draft}/modules/99999999999999999999/edit").status_code == 404
    response = trainer.submit(f"{draft}/edit", action=f"{draft}/modules/99/delete")
    assert response.status_code == 404


# --- hostile Markdown -----------------------------------------------------------------------

HOSTILE = "\n\n".join(
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(2)">',
        "[click](javascript:alert(3))",
        "[click2](JaVaScRiPt&colon;alert(4))",
        "![pic](javascript:alert(5))",
        '<svg onload="alert(6)"><circle r=1 /></svg>',
        '"><img src=x onerror=alert(7)>',
        "</textarea><script>alert(8)</script>",
        '<a href="javascript:alert(9)">raw</a>',
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMCk8L3NjcmlwdD4=)",
        "<iframe src=https://evil.example></iframe>",
        "**fine** text",
    ]
)


def test_the_preview_endpoint_returns_sanitized_html(app, trainer, draft):
    response = trainer.submit(
        f"{draft}/modules/1/edit", {"body": HOSTILE}, action="/studio/preview"
    )
    assert response.status_code == 200
    html = response.get_json()["html"]
    assert script_hazards(html) == []
    assert "<strong>fine</strong>" in html
    assert "<svg" not in html and "<iframe" not in html


def test_the_preview_endpoint_takes_the_token_in_a_header_and_refuses_without(app, trainer):
    token = trainer.token("/studio/courses/new")
    response = trainer.client.post(
        "/studio/preview", data={"body": "## Hi"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert response.get_json()["html"].strip() == "<h2>Hi</h2>"
    assert trainer.client.post("/studio/preview", data={"body": "# Hi"}).status_code == 400


def test_the_preview_endpoint_refuses_an_oversized_text(app, trainer):
    response = trainer.submit(
        "/studio/courses/new", {"body": "x" * 100_001}, action="/studio/preview"
    )
    assert response.status_code == 413
    assert "100,000" in response.get_json()["error"]


def test_hostile_markdown_is_kept_as_text_and_previewed_safely(app, trainer, draft):
    edit = f"{draft}/modules/1/edit"
    data = {"title": '"><script>alert(0)</script>', "body": HOSTILE, "media_minutes": "0"}
    # The preview button without JavaScript: the page shows the sanitized rendering.
    response = trainer.submit(edit, {**data, "action": "preview"})
    assert response.status_code == 200
    html = page_text(response)
    assert script_hazards(own_scripts_removed(html)) == []
    preview = re.search(r'id="module-preview"[^>]*>(.*?)</div>\s*</section>', html, re.S).group(1)
    assert "<strong>fine</strong>" in preview
    assert version_state(app)["modules"][0][2] != HOSTILE  # a preview saves nothing

    # Saved as typed; every page that shows it shows it as text or sanitized HTML.
    assert trainer.submit(edit, data).status_code == 302
    assert version_state(app)["modules"][0][2] == HOSTILE.replace("\r\n", "\n")
    for page in (edit, f"{draft}/edit"):
        html = page_text(trainer.get(page))
        assert script_hazards(own_scripts_removed(html)) == [], page
        assert "</textarea><script>" not in html


def test_saved_hostile_markdown_renders_safely_when_read_only(app, trainer, draft, admin, clock):
    """The read-only view of a submitted version renders the body through the sanitizer."""
    edit = f"{draft}/modules/1/edit"
    trainer.submit(edit, {"title": "T", "body": HOSTILE, "media_minutes": "0"})
    from lms.catalogue.models import Course

    with app.app_context():
        course = (
            _db(app)
            .scalars(select(Course).where(Course.slug == DEMO_SLUG, Course.version == 2))
            .one()
        )
        course.status = "submitted"
        _db(app).commit()
    html = page_text(trainer.get(edit))
    assert "Read only." in html
    assert "<strong>fine</strong>" in html
    assert script_hazards(own_scripts_removed(html)) == []


# --- only a draft changes -------------------------------------------------------------------


def test_a_published_versions_pages_are_read_only_and_its_posts_get_409(app, trainer):
    page = trainer.get(f"{V1}/edit")
    assert page.status_code == 200
    html = page_text(page)
    assert "Read only." in html and "only a draft can be changed" in html
    assert "Save details" not in html and "Add a module" not in html
    assert "disabled" in html
    module_page = page_text(trainer.get(f"{V1}/modules/1/edit"))
    assert "Read only." in module_page and "Save module" not in module_page

    before_counts, before = counts(app), version_state(app, version=1)
    posts = [
        (f"{V1}/edit", edit_form(app)),
        (f"{V1}/modules/new", {"title": "T", "body": "B"}),
        (f"{V1}/modules/1/edit", {"title": "T", "body": "B"}),
        (f"{V1}/modules/1/delete", {}),
        (f"{V1}/modules/2/move", {"direction": "up"}),
    ]
    for action, data in posts:
        response = trainer.submit(f"{V1}/edit", data, action=action)
        assert response.status_code == 409, action
        assert "only a draft can be changed" in page_text(response)
    assert version_state(app, version=1) == before
    assert counts(app) == before_counts


# --- who may use the editor -------------------------------------------------------------------


def every_route(draft: str) -> list[tuple[str, str]]:
    return [
        ("GET", f"{draft}/edit"),
        ("POST", f"{draft}/edit"),
        ("GET", f"{draft}/modules/new"),
        ("POST", f"{draft}/modules/new"),
        ("GET", f"{draft}/modules/1/edit"),
        ("POST", f"{draft}/modules/1/edit"),
        ("POST", f"{draft}/modules/1/delete"),
        ("POST", f"{draft}/modules/2/move"),
    ]


def test_another_trainer_gets_404_on_every_route_of_the_course(app, other_trainer, draft):
    before = version_state(app)
    for method, path in every_route(draft) + [
        (m, p.replace("/v2/", "/v1/")) for m, p in every_route(draft)
    ]:
        if method == "GET":
            response = other_trainer.get(path)
        else:
            data = {"title": "Mine now", "body": "B", "direction": "up", **edit_form(app)}
            response = other_trainer.submit("/studio/", data, action=path)
        assert response.status_code == 404, (method, path)
    assert version_state(app) == before
    # Their own pages work: the refusal is about the course, not the trainer.
    assert other_trainer.get("/studio/courses/new").status_code == 200


def test_a_learner_gets_403_everywhere_and_a_visitor_is_sent_to_sign_in(
    app, demo, draft, create_user
):
    user = create_user(role="learner")
    learner = signed_in(app, user.email, user.plain_password)
    routes = every_route(draft) + [
        ("GET", "/studio/courses/new"),
        ("POST", "/studio/courses/new"),
        ("POST", "/studio/preview"),
    ]
    before, before_counts = version_state(app), counts(app)
    for method, path in routes:
        if method == "GET":
            response = learner.get(path)
        else:
            response = learner.submit("/dashboard", new_course_form(app), action=path)
        assert response.status_code == 403, (method, path)
    visitor = Web(app.test_client())
    for method, path in routes:
        if method == "GET":
            response = visitor.get(path)
            assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert version_state(app) == before and counts(app) == before_counts


def test_an_admin_may_edit_any_draft(app, admin, draft):
    response = admin.submit(f"{draft}/edit", edit_form(app, title="Edited by the admin"))
    assert response.status_code == 302
    assert version_state(app)["title"] == "Edited by the admin"


def test_the_forms_need_a_csrf_token(app, trainer, draft):
    before = version_state(app)
    response = trainer.client.post(f"{draft}/edit", data=edit_form(app))
    assert response.status_code == 400
    assert version_state(app) == before
