"""The studio's quiz editor: every question type through its own form (and back), pools and
draw rules, settings, reordering and deleting, GIFT import, the lifecycle and ownership rules,
and hostile text shown safely."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import select

from lms.catalogue.models import Course
from quizzes import question_spec
from quizzes.models import Quiz
from tests.conftest import DEMO_SLUG, Web
from tests.html_safety import script_hazards
from tests.test_gift_cli import BANK

V1 = f"/studio/courses/{DEMO_SLUG}/v1"  # the published version


# Helpers ----------------------------------------------------------------------------------------


def quiz_state(app, version: int) -> dict[str, Any]:
    """The version's quiz as stored: settings, and (id, position, spec) of each question."""
    with app.app_context():
        db = app.extensions["lms"].db.session
        course = db.scalars(
            select(Course).where(Course.slug == DEMO_SLUG, Course.version == version)
        ).one()
        quiz = db.get(Quiz, course.final_quiz_id)
        state = {
            "quiz_id": quiz.id,
            "settings": {
                name: getattr(quiz, name)
                for name in (
                    "title",
                    "pass_percent",
                    "max_attempts",
                    "cooldown_minutes",
                    "grading_method",
                    "time_limit_minutes",
                    "review_shows",
                    "review_when",
                    "draw_rules",
                )
            },
            "questions": [(q.id, q.position, question_spec(q)) for q in quiz.questions],
        }
        db.remove()
        return state


def specs(app, version: int = 2) -> list[dict[str, Any]]:
    return [spec for _, _, spec in quiz_state(app, version)["questions"]]


def ids(app, version: int = 2) -> list[int]:
    return [qid for qid, _, _ in quiz_state(app, version)["questions"]]


class _Forms(HTMLParser):
    """The fields a browser would send from each form of a page (by the form's action)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: dict[str, list[tuple[str, str]]] = {}
        self.disabled: dict[str, bool] = {}
        self._form: str | None = None
        self._textarea: str | None = None
        self._text = ""
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = a.get("action", "")
            self.forms[self._form] = []
            self.disabled[self._form] = False
        elif self._form is None:
            return
        elif tag == "fieldset" and "disabled" in a:
            self.disabled[self._form] = True
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.forms[self._form].append((a["name"], a.get("value") or "on"))
            elif kind not in ("submit", "button", "file"):
                self.forms[self._form].append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""
        elif tag == "select":
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self.forms[self._form].append((self._textarea, self._text))
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            chosen = [v for v, selected in self._options if selected] or [self._options[0][0]]
            self.forms[self._form].append((self._select, chosen[0]))
            self._select = None


def page_form(html: str, action_contains: str) -> tuple[str, dict[str, str], bool]:
    """(action, fields, disabled) of the page's form whose action contains the text."""
    parser = _Forms()
    parser.feed(html)
    action = next(a for a in parser.forms if action_contains in a)
    return action, dict(parser.forms[action]), parser.disabled[action]


def resubmit(web: Web, page: str, action_contains: str, changes: dict[str, str] | None = None):
    """Open a page and send its form back as a browser would, with the given changes."""
    html = web.get(page).get_data(as_text=True)
    action, fields, _ = page_form(html, action_contains)
    fields.update(changes or {})
    return web.client.post(action, data=fields)


def add(web: Web, draft: str, qtype: str, data: dict[str, str]):
    new = f"{draft}/quiz/questions/new?type={qtype}"
    return web.submit(new, data, action=new)


def common(**overrides: str) -> dict[str, str]:
    data = {
        "title": "A title",
        "prompt": "What is **right**?",
        "points": "2",
        "explanation": "Because.",
        "pool": "Basics",
        "tags": "prep, soil",
    }
    data.update(overrides)
    return data


COMMON_SPEC = {
    "title": "A title",
    "prompt": "What is **right**?",
    "points": 2,
    "explanation": "Because.",
    "pool": "Basics",
    "tags": ["prep", "soil"],
}

#: For every type: what the author types (blank rows included) and the spec that must result.
CASES: dict[str, tuple[dict[str, str], dict[str, Any]]] = {
    "single": (
        {
            "choice-0-text": "It lifts dry soil",
            "choice-0-feedback": "Right",
            "choice-correct": "0",
            "choice-1-text": "It wets the pile",
            "choice-1-feedback": "No",
            "choice-2-text": "Half right",
            "choice-2-weight": "50",
            "choice-3-text": "",
            "choice-3-weight": "",
        },
        {
            "choices": [
                {"text": "It lifts dry soil", "weight": "100", "feedback": "Right"},
                {"text": "It wets the pile", "weight": "0", "feedback": "No"},
                {"text": "Half right", "weight": "50", "feedback": ""},
            ]
        },
    ),
    "multiple": (
        {
            "choice-0-text": "Air movers",
            "choice-0-correct": "on",
            "choice-1-text": "",
            "choice-2-text": "Dehumidifiers",
            "choice-2-correct": "on",
            "choice-2-feedback": "Yes",
            "choice-3-text": "A closed room",
            "scoring": "partial",
            "penalty": "50",
        },
        {
            "scoring": "partial",
            "choices": [
                {"text": "Air movers", "weight": "50", "feedback": ""},
                {"text": "Dehumidifiers", "weight": "50", "feedback": "Yes"},
                {"text": "A closed room", "weight": "-25", "feedback": ""},
            ],
        },
    ),
    "truefalse": (
        {"answer": "false", "feedback_true": "No: it is relative.", "feedback_false": "Right."},
        {"answer": False, "feedback_true": "No: it is relative.", "feedback_false": "Right."},
    ),
    "short": (
        {
            "answer-0-text": "grains per pound",
            "answer-1-text": "grains",
            "answer-1-weight": "50",
            "answer-1-feedback": "Nearly",
            "answer-2-text": "",
            "case_sensitive": "on",
            "whitespace": "exact",
        },
        {
            "answers": [
                {"text": "grains per pound", "weight": "100", "feedback": ""},
                {"text": "grains", "weight": "50", "feedback": "Nearly"},
            ],
            "case_sensitive": True,
            "whitespace": "exact",
        },
    ),
    "numeric": (
        {
            "answer-0-value": "7000",
            "answer-1-min": "6900",
            "answer-1-max": "7100.5",
            "answer-1-weight": "50",
            "answer-1-feedback": "Close",
            "answer-2-value": "",
        },
        {
            "answers": [
                {"value": "7000", "tolerance": "0", "weight": "100", "feedback": ""},
                {"min": "6900", "max": "7100.5", "weight": "50", "feedback": "Close"},
            ]
        },
    ),
    "matching": (
        {
            "pair-0-left": "Class 1",
            "pair-0-right": "least water",
            "pair-1-left": "Class 2",
            "pair-1-right": "a whole room",
            "pair-2-left": "",
            "pair-3-left": "Class 4",
            "pair-3-right": "bound water",
            "distractor-0-text": "Class 9",
        },
        {
            "pairs": [
                {"left": "Class 1", "right": "least water"},
                {"left": "Class 2", "right": "a whole room"},
                {"left": "Class 4", "right": "bound water"},
            ],
            "distractors": ["Class 9"],
        },
    ),
    "ordering": (
        {
            "item-0-text": "Inspect",
            "item-1-text": "Pre-vacuum",
            "item-2-text": "",
            "item-3-text": "Extract",
            "scoring": "partial",
        },
        {"items": ["Inspect", "Pre-vacuum", "Extract"], "scoring": "partial"},
    ),
}

#: For every type: a form the engine (or the form's own checks) must refuse, and why.
INVALID: dict[str, tuple[dict[str, str], str]] = {
    "single": ({"choice-0-text": "A", "choice-1-text": "B"}, "exactly one fully correct choice"),
    "multiple": ({"choice-0-text": "A", "choice-1-text": "B"}, "at least one correct choice"),
    "truefalse": ({"feedback_true": "x"}, "needs answer: true or false"),
    "short": ({"answer-0-text": "", "answer-0-feedback": ""}, "at least one accepted answer"),
    "numeric": ({"answer-0-value": "seven"}, "a value must be a number, not &#39;seven&#39;"),
    "matching": ({"pair-0-left": "A", "pair-0-right": "B"}, "at least two pairs"),
    "ordering": ({"item-0-text": "Same", "item-1-text": "Same"}, "must all differ"),
}


# Every type: create, edit, round trip, refuse -------------------------------------------------


@pytest.mark.parametrize("qtype", sorted(CASES))
def test_each_type_is_created_through_its_form(app, trainer, draft, qtype):
    typed, expected = CASES[qtype]
    before = specs(app)
    response = add(trainer, draft, qtype, {**common(), **typed})
    assert response.status_code == 302, response.get_data(as_text=True)
    after = specs(app)
    assert after[:-1] == before
    assert after[-1] == {"type": qtype, **COMMON_SPEC, **expected}
    added = trainer.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Question {len(before) + 1} is added." in added


@pytest.mark.parametrize("qtype", sorted(CASES))
def test_each_type_is_edited_and_its_edit_form_round_trips(app, trainer, draft, qtype):
    typed, expected = CASES[qtype]
    assert add(trainer, draft, qtype, {**common(), **typed}).status_code == 302
    qid = ids(app)[-1]
    edit = f"{draft}/quiz/questions/{qid}/edit"
    # Unchanged: the very same spec (a field the form forgot would be lost here).
    assert resubmit(trainer, edit, "/edit").status_code == 302
    assert specs(app)[-1] == {"type": qtype, **COMMON_SPEC, **expected}
    # Changed: the new prompt and points are stored, the rest kept, the id and place too.
    response = resubmit(trainer, edit, "/edit", {"prompt": "Reworded?", "points": "3"})
    assert response.status_code == 302
    qid_after, position, spec = quiz_state(app, 2)["questions"][-1]
    assert (qid_after, position) == (qid, len(specs(app)))
    assert spec == {"type": qtype, **COMMON_SPEC, **expected, "prompt": "Reworded?", "points": 3}


def test_edits_change_rows_too(app, trainer, draft):
    typed, _ = CASES["single"]
    add(trainer, draft, "single", {**common(), **typed})
    edit = f"{draft}/quiz/questions/{ids(app)[-1]}/edit"
    response = resubmit(
        trainer,
        edit,
        "/edit",
        {
            "choice-correct": "1",
            "choice-0-text": "",
            "choice-0-feedback": "",
            "choice-2-weight": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert specs(app)[-1]["choices"] == [
        {"text": "It wets the pile", "weight": "100", "feedback": "No"},
        {"text": "Half right", "weight": "0", "feedback": ""},
    ]


def test_every_stored_question_round_trips_through_its_edit_form(app, trainer, draft):
    """The demo's questions, a GIFT bank with partial weights, ranges and distractors, and one
    of each type made here: each edit page, sent back unchanged, changes nothing."""
    page = f"{draft}/quiz"
    imported = trainer.submit(page, {"text": BANK}, action=f"{page}/import")
    assert imported.status_code == 302
    for qtype, (typed, _) in CASES.items():
        assert add(trainer, draft, qtype, {**common(), **typed}).status_code == 302
    before = quiz_state(app, 2)["questions"]
    assert {spec["type"] for _, _, spec in before} == set(CASES)
    for qid, _, _ in before:
        response = resubmit(trainer, f"{draft}/quiz/questions/{qid}/edit", "/edit")
        assert response.status_code == 302, (qid, response.get_data(as_text=True))
    assert quiz_state(app, 2)["questions"] == before


@pytest.mark.parametrize("qtype", sorted(INVALID))
def test_invalid_input_is_refused_with_the_reason_and_kept(app, trainer, draft, qtype):
    typed, message = INVALID[qtype]
    before = specs(app)
    response = add(trainer, draft, qtype, {**common(prompt="Keep *this* text"), **typed})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html and message.lower() in html.lower()
    assert "Keep *this* text" in html  # the author's input comes back
    assert specs(app) == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"points": "lots"}, "Points must be a whole number"),
        ({"points": "0"}, "Points must be from 1 to 1000"),
        ({"prompt": "  "}, "The question text cannot be empty"),
        ({"choice-1-weight": "-300"}, "weights are percentages from -100 to 100"),
        ({"choice-1-weight": "NaN"}, "a weight must be a finite number"),
        ({"choice-0-weight": "40"}, "choice 1 is marked correct"),
        ({"choice-1-weight": "100"}, "choice 2 is worth 100 % but is not marked correct"),
        # Refused, not silently cut to the column's length.
        ({"title": "T" * 201}, "the title takes at most 200 characters"),
        ({"pool": "P" * 101}, "the pool name takes at most 100 characters"),
    ],
)
def test_common_and_choice_fields_are_checked(app, trainer, draft, changes, message):
    typed, _ = CASES["single"]
    before = specs(app)
    response = add(trainer, draft, "single", {**common(), **typed, **changes})
    assert response.status_code == 400
    assert message.lower() in response.get_data(as_text=True).lower()
    assert specs(app) == before


def test_an_invalid_edit_changes_nothing(app, trainer, draft):
    qid = ids(app)[0]
    before = specs(app)
    edit = f"{draft}/quiz/questions/{qid}/edit"
    response = resubmit(trainer, edit, "/edit", {"choice-correct": "", "title": "Changed"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "exactly one fully correct choice" in html and 'value="Changed"' in html
    assert specs(app) == before


def test_multiple_select_weights_must_agree_with_the_marks(app, trainer, draft):
    typed, _ = CASES["multiple"]
    response = add(trainer, draft, "multiple", {**common(), **typed, "choice-0-weight": "-10"})
    assert response.status_code == 400
    assert "a correct choice needs a positive weight" in response.get_data(as_text=True)
    explicit = {
        **typed,
        "choice-0-weight": "60",
        "choice-2-weight": "40",
        "choice-3-weight": "-100",
    }
    assert add(trainer, draft, "multiple", {**common(), **explicit}).status_code == 302
    assert [c["weight"] for c in specs(app)[-1]["choices"]] == ["60", "40", "-100"]


def test_numeric_refuses_a_value_and_a_range_in_one_row(app, trainer, draft):
    before = specs(app)
    response = add(
        trainer, draft, "numeric", {**common(), "answer-0-value": "3", "answer-0-min": "1"}
    )
    assert response.status_code == 400
    assert "Answer 1: give a value (with a tolerance) or a range, not both" in response.get_data(
        as_text=True
    )
    assert specs(app) == before


def test_more_rows_keeps_the_input_and_saves_nothing(app, trainer, draft):
    before = specs(app)
    new = f"{draft}/quiz/questions/new?type=ordering"
    response = trainer.submit(new, {**common(), "item-0-text": "First", "more_rows": "1"}, new)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="First"' in html and 'name="item-5-text"' in html
    assert specs(app) == before


def test_unknown_types_and_foreign_question_ids_are_404(app, trainer, draft):
    assert trainer.get(f"{draft}/quiz/questions/new?type=essay").status_code == 404
    chooser = trainer.get(f"{draft}/quiz/questions/new")  # no type yet: choose one
    assert chooser.status_code == 302 and chooser.headers["Location"].endswith("#add-question")
    v1_question = ids(app, version=1)[0]
    for qid in (v1_question, 999_999, 2**40):
        assert trainer.get(f"{draft}/quiz/questions/{qid}/edit").status_code == 404
        for action in ("edit", "delete", "move"):
            url = f"{draft}/quiz/questions/{qid}/{action}"
            response = trainer.submit(f"{draft}/quiz", {"direction": "up"}, action=url)
            assert response.status_code == 404
    assert specs(app, version=1) == specs(app, version=1)


# Order and deletion -----------------------------------------------------------------------------


def test_questions_move_up_and_down(app, trainer, draft):
    first, second, third, *rest = ids(app)
    move = f"{draft}/quiz/questions/{second}/move"
    assert trainer.submit(f"{draft}/quiz", {"direction": "up"}, action=move).status_code == 302
    assert ids(app) == [second, first, third, *rest]
    move = f"{draft}/quiz/questions/{first}/move"
    assert trainer.submit(f"{draft}/quiz", {"direction": "down"}, action=move).status_code == 302
    assert ids(app) == [second, third, first, *rest]
    positions = [p for _, p, _ in quiz_state(app, 2)["questions"]]
    assert positions == list(range(1, len(positions) + 1))
    # The first cannot go further up; a nonsense direction is a 400.
    move = f"{draft}/quiz/questions/{second}/move"
    assert trainer.submit(f"{draft}/quiz", {"direction": "up"}, action=move).status_code == 302
    assert trainer.submit(f"{draft}/quiz", {"direction": "x"}, action=move).status_code == 400
    assert ids(app) == [second, third, first, *rest]


def test_delete_renumbers_the_rest(app, trainer, draft):
    before = ids(app)
    delete = f"{draft}/quiz/questions/{before[1]}/delete"
    response = trainer.submit(f"{draft}/quiz", action=delete)
    assert response.status_code == 302
    state = quiz_state(app, 2)["questions"]
    assert [qid for qid, _, _ in state] == before[:1] + before[2:]
    assert [p for _, p, _ in state] == list(range(1, len(before)))
    assert "Question 2 is deleted." in trainer.get(f"{draft}/quiz").get_data(as_text=True)


def test_a_question_a_draw_rule_needs_cannot_be_deleted(app, trainer, draft):
    count = len(ids(app))
    saved = save_settings(trainer, draft, rules=[("Default", str(count), "")])
    assert saved.status_code == 302
    before = specs(app)
    delete = f"{draft}/quiz/questions/{ids(app)[0]}/delete"
    response = trainer.submit(f"{draft}/quiz", action=delete)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Question 1 was not deleted: the draw rules need it" in html and 'role="alert"' in html
    assert specs(app) == before
    # Neither may an edit take a question out of the pool a rule draws all of.
    edit = f"{draft}/quiz/questions/{ids(app)[0]}/edit"
    response = resubmit(trainer, edit, "/edit", {"pool": "Elsewhere"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "The draw rules need this question" in html
    assert "fewer than" in html
    assert specs(app) == before


# Settings and draw rules -------------------------------------------------------------------------


def save_settings(web: Web, draft: str, rules=(), **fields: str):
    data = {
        "title": "Final quiz",
        "pass_percent": "80",
        "max_attempts": "3",
        "cooldown_minutes": "30",
        "grading_method": "latest",
        "time_limit_minutes": "20",
        "review_shows": "wrong",
        "review_when": "after_pass",
        **fields,
    }
    for n, (pool, count, tag) in enumerate(rules):
        data |= {f"rule-{n}-pool": pool, f"rule-{n}-count": count, f"rule-{n}-tag": tag}
    return web.submit(f"{draft}/quiz", data, action=f"{draft}/quiz/settings")


def test_settings_and_draw_rules_are_saved(app, trainer, draft):
    for qtype in ("single", "truefalse"):
        typed, _ = CASES[qtype]
        add(trainer, draft, qtype, {**common(tags="hard"), **typed})
    response = save_settings(trainer, draft, rules=[("Basics", "1", "hard"), ("Default", "", "")])
    assert response.status_code == 302, response.get_data(as_text=True)
    assert quiz_state(app, 2)["settings"] == {
        "title": "Final quiz",
        "pass_percent": 80,
        "max_attempts": 3,
        "cooldown_minutes": 30,
        "grading_method": "latest",
        "time_limit_minutes": 20,
        "review_shows": "wrong",
        "review_when": "after_pass",
        "draw_rules": [
            {"pool": "Basics", "count": 1, "tag": "hard"},
            {"pool": "Default", "count": None, "tag": None},
        ],
    }
    html = trainer.get(f"{draft}/quiz").get_data(as_text=True)
    _, fields, disabled = page_form(html, "/settings")
    assert not disabled
    assert fields["rule-0-pool"] == "Basics" and fields["rule-0-tag"] == "hard"
    assert fields["grading_method"] == "latest" and fields["pass_percent"] == "80"
    # Blank limits: unlimited attempts, untimed; the form sent back unchanged changes nothing.
    save_settings(trainer, draft, max_attempts="", time_limit_minutes="")
    assert quiz_state(app, 2)["settings"]["max_attempts"] is None
    before = quiz_state(app, 2)["settings"]
    assert resubmit(trainer, f"{draft}/quiz", "/settings").status_code == 302
    assert quiz_state(app, 2)["settings"] == before


@pytest.mark.parametrize(
    ("fields", "rules", "message"),
    [
        ({"pass_percent": "150"}, (), "the pass mark must be from 1 to 100"),
        ({"pass_percent": "0"}, (), "the pass mark must be from 1 to 100"),
        ({"max_attempts": "many"}, (), "max attempts must be a whole number"),
        ({"grading_method": "best"}, (), "the grading method must be one of"),
        ({}, [("Default", "99", "")], "the pool &#39;Default&#39; has 5 questions, fewer than 99"),
        ({}, [("Nowhere", "", "")], "the pool &#39;Nowhere&#39; has no questions"),
        ({}, [("Default", "1", "no-such-tag")], "has 0 questions tagged &#39;no-such-tag&#39;"),
        ({}, [("", "2", "")], "draw rule 1: name a pool"),
        ({}, [("Default", "4", ""), ("Default", "4", "")], "left once the other rules have"),
    ],
)
def test_impossible_settings_are_refused_whole(app, trainer, draft, fields, rules, message):
    before = quiz_state(app, 2)["settings"]
    response = save_settings(trainer, draft, rules=rules, **fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message.lower() in html.lower()
    assert 'role="alert"' in html
    assert quiz_state(app, 2)["settings"] == before  # not even the valid fields


def test_the_overview_shows_pools_questions_and_add_buttons(app, trainer, draft):
    typed, _ = CASES["short"]
    add(trainer, draft, "short", {**common(), **typed})
    html = trainer.get(f"{draft}/quiz").get_data(as_text=True)
    assert '<td data-label="Pool">Basics</td><td data-label="Questions">1</td>' in html
    assert '<td data-label="Pool">Default</td><td data-label="Questions">5</td>' in html
    for qtype in CASES:
        assert f"/quiz/questions/new?type={qtype}" in html
    assert f"{draft}/quiz/export.gift" in html


# GIFT -------------------------------------------------------------------------------------------


def test_gift_import_into_the_draft(app, trainer, draft):
    before = len(specs(app))
    response = trainer.submit(
        f"{draft}/quiz",
        {"file": (io.BytesIO(BANK.encode()), "bank.gift"), "pool": "Imported"},
        action=f"{draft}/quiz/import",
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert len(specs(app)) == before + 10
    assert {s["pool"] for s in specs(app)[before:]} == {"Imported"}
    export = trainer.get(f"{draft}/quiz/export.gift")
    assert export.status_code == 200 and "Cat 1" in export.get_data(as_text=True)


def test_a_published_version_is_read_only(app, trainer, draft):
    """GET shows it without buttons; every POST is a 409 with the reason and changes nothing."""
    before = quiz_state(app, 1)
    qid = before["questions"][0][0]
    html = trainer.get(f"{V1}/quiz").get_data(as_text=True)
    assert "only a draft can be changed" in html
    assert "Save settings" not in html and "/import" not in html and "/delete" not in html
    assert page_form(html, "/settings")[2]  # the settings are shown, disabled
    edit_page = trainer.get(f"{V1}/quiz/questions/{qid}/edit").get_data(as_text=True)
    assert page_form(edit_page, "/edit")[2] and "Save question" not in edit_page
    export = trainer.get(f"{V1}/quiz/export.gift")
    assert export.status_code == 200 and "pre-vacuumed" in export.get_data(as_text=True)
    typed, _ = CASES["truefalse"]
    posts = {
        f"{V1}/quiz/settings": {"pass_percent": "10", "title": "x"},
        f"{V1}/quiz/import": {"text": "::X:: y {T}"},
        f"{V1}/quiz/questions/new?type=truefalse": {**common(), **typed},
        f"{V1}/quiz/questions/{qid}/edit": {**common(), **typed},
        f"{V1}/quiz/questions/{qid}/delete": {},
        f"{V1}/quiz/questions/{qid}/move": {"direction": "down"},
    }
    for action, data in posts.items():
        response = trainer.submit(f"{draft}/quiz", data, action=action)
        assert response.status_code == 409, action
        assert "only a draft can be changed" in response.get_data(as_text=True)
    assert quiz_state(app, 1) == before


# Who may ----------------------------------------------------------------------------------------


def _routes(draft: str, qid: int) -> tuple[list[str], list[tuple[str, dict[str, str]]]]:
    gets = [
        f"{draft}/quiz",
        f"{draft}/quiz/export.gift",
        f"{draft}/quiz/questions/new?type=single",
        f"{draft}/quiz/questions/{qid}/edit",
    ]
    posts = [
        (f"{draft}/quiz/settings", {"pass_percent": "1"}),
        (f"{draft}/quiz/import", {"text": "::X:: y {T}"}),
        (f"{draft}/quiz/questions/new?type=truefalse", {**common(), "answer": "true"}),
        (f"{draft}/quiz/questions/{qid}/edit", {**common(), "choice-correct": "0"}),
        (f"{draft}/quiz/questions/{qid}/delete", {}),
        (f"{draft}/quiz/questions/{qid}/move", {"direction": "down"}),
    ]
    return gets, posts


@pytest.mark.parametrize("who", ["other_trainer", "learner"])
def test_other_trainers_get_404_and_learners_403_everywhere(app, draft, who, request, create_user):
    if who == "learner":
        user = create_user()
        web = Web(app.test_client())
        web.login(user.email, user.plain_password)
        status = 403
    else:
        web, status = request.getfixturevalue("other_trainer"), 404
    before = quiz_state(app, 2)
    gets, posts = _routes(draft, before["questions"][0][0])
    for url in gets:
        assert web.get(url).status_code == status, url
    token = web.token("/dashboard")
    for url, data in posts:
        assert web.client.post(url, data={"csrf_token": token, **data}).status_code == status, url
    assert quiz_state(app, 2) == before


def test_an_admin_may_edit_any_course(app, admin, draft):
    assert admin.get(f"{draft}/quiz").status_code == 200
    typed, _ = CASES["ordering"]
    assert add(admin, draft, "ordering", {**common(), **typed}).status_code == 302


def test_posts_need_the_csrf_token(app, trainer, draft):
    before = quiz_state(app, 2)
    qid = before["questions"][0][0]
    _, posts = _routes(draft, qid)
    for url, data in posts:
        assert trainer.client.post(url, data=data).status_code == 400, url
    assert quiz_state(app, 2) == before


# Hostile text -------------------------------------------------------------------------------------

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)"> [click](javascript:alert(3))'


def test_hostile_text_is_shown_inert_on_every_editor_page(app, trainer, draft):
    data = {
        **common(title=HOSTILE, prompt=HOSTILE, explanation=HOSTILE, pool="<b>pool</b>"),
        "tags": '"><script>x</script>',
        "choice-0-text": HOSTILE,
        "choice-0-feedback": HOSTILE,
        "choice-0-correct": "on",
        "choice-1-text": '<a href="javascript:alert(4)">x</a>',
        "choice-1-feedback": "<svg onload=alert(5)>",
    }
    assert add(trainer, draft, "multiple", data).status_code == 302
    qid = ids(app)[-1]
    pages = [
        trainer.get(f"{draft}/quiz"),
        trainer.get(f"{draft}/quiz/questions/{qid}/edit"),
        add(trainer, draft, "multiple", {**data, "choice-0-correct": ""}),  # refused, echoed
    ]
    own_script = '<script src="/_static/quiz_editor.js" defer></script>'  # ours, same origin
    for response in pages:
        html = response.get_data(as_text=True)
        assert script_hazards(html.replace(own_script, "")) == [], html
        assert "&lt;script&gt;" in html
    edit = pages[1].get_data(as_text=True)
    assert 'class="prompt"' in edit  # the Markdown preview is there, sanitized
    # And the form gives the text back exactly as typed.
    _, fields, _ = page_form(edit, "/edit")
    assert fields["prompt"] == HOSTILE and fields["choice-0-text"] == HOSTILE


def test_a_new_course_without_questions_gets_its_first_one(app, trainer, draft):
    """The draft's quiz emptied out: the page says so, and adding starts again at 1."""
    for qid in ids(app):
        trainer.submit(f"{draft}/quiz", action=f"{draft}/quiz/questions/{qid}/delete")
    assert specs(app) == []
    assert "This quiz has no questions yet." in trainer.get(f"{draft}/quiz").get_data(as_text=True)
    typed, _ = CASES["truefalse"]
    assert add(trainer, draft, "truefalse", {**common(), **typed}).status_code == 302
    assert quiz_state(app, 2)["questions"][0][1] == 1


class _Fields(HTMLParser):
    """Form fields without a label, inline scripts and style attributes (the CSP refuses both)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[str] = []
        self.labels: set[str] = set()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "style" in a:
            self.problems.append(f"style attribute on <{tag}>")
        if tag == "script" and not a.get("src"):
            self.problems.append("inline script")
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        if tag in ("select", "textarea") or (
            tag == "input" and a.get("type") not in ("hidden", "submit", "button")
        ):
            self.fields.append(a.get("id", f"<{tag} name={a.get('name')}> without id"))


def test_every_field_has_a_label_and_nothing_inline(app, trainer, draft):
    pages = [f"{draft}/quiz", *(f"{draft}/quiz/questions/new?type={t}" for t in CASES)]
    pages.append(f"{draft}/quiz/questions/{ids(app)[0]}/edit")
    for page in pages:
        parser = _Fields()
        parser.feed(trainer.get(page).get_data(as_text=True))
        assert parser.fields, page
        assert [f for f in parser.fields if f not in parser.labels] == [], page
        assert len(set(parser.fields)) == len(parser.fields), page  # ids are unique
        assert parser.problems == [], page


@pytest.mark.parametrize(
    ("qtype", "data"),
    [
        ("single", {"choice-correct": "²", "choice-0-text": "A", "choice-1-text": "B"}),
        ("single", {"choice-correct": "99999", "choice-٣-text": "x", "choice-5000-text": "y"}),
        ("single", {"points": "9" * 5000, "choice-0-weight": "1e999999999"}),
        ("multiple", {"choice-0-text": "A", "choice-0-weight": "Infinity", "penalty": "-5"}),
        ("numeric", {"answer-0-value": "1e-99999999", "answer-0-tolerance": "-1"}),
        ("numeric", {"answer-0-min": "5", "answer-0-max": "1"}),
        ("short", {"answer-0-text": "x", "whitespace": "sideways", "answer-0-weight": "2e2"}),
        ("ordering", {"item-0-text": "a", "item-1-text": "b", "scoring": "most"}),
        ("truefalse", {"answer": "maybe"}),
    ],
)
def test_odd_input_is_a_400_never_a_500(app, trainer, draft, qtype, data):
    before = specs(app)
    response = add(trainer, draft, qtype, {**common(), **data})
    assert response.status_code == 400
    assert 'role="alert"' in response.get_data(as_text=True)
    assert specs(app) == before
