"""The studio's course report, driven by real learners through a demo course."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.conftest import DEMO_SLUG, Clock, Web, complete_modules, start_quiz, wrong_response

REPORT = f"/studio/courses/{DEMO_SLUG}/report"
ROSTER = f"/studio/courses/{DEMO_SLUG}/roster.csv"


def questions_by_position(app: Flask, slug: str = DEMO_SLUG, version: int = 1) -> list[Any]:
    from lms.catalogue.models import Course
    from quizzes.models import Question

    with app.app_context():
        db = app.extensions["lms"].db.session
        course = db.scalars(
            select(Course).where(Course.slug == slug, Course.version == version)
        ).one()
        questions = db.scalars(
            select(Question)
            .where(Question.quiz_id == course.final_quiz_id)
            .order_by(Question.position)
        ).all()
        db.expunge_all()
        return list(questions)


def answers(
    app: Flask, right: set[int], slug: str = DEMO_SLUG, version: int = 1
) -> dict[str, list[str]]:
    """Correct answers to the questions at the ``right`` positions (1-based), wrong ones to the
    rest (the oracle reads the key from the database, not from the code under test)."""
    from quizzes.types import QUESTION_TYPES

    return {
        f"q-{q.id}": (
            QUESTION_TYPES[q.qtype].correct_response(q.config)
            if q.position in right
            else wrong_response(q)
        )
        for q in questions_by_position(app, slug, version)
    }


def enrolled(
    app: Flask, create_user: Callable[..., Any], name: str | None = None, slug: str = DEMO_SLUG
) -> tuple[Web, Any]:
    user = create_user(name=name)
    web = Web(app.test_client())
    web.login(user.email, user.plain_password)
    response = web.submit(f"/courses/{slug}", action=f"/courses/{slug}/enrol")
    assert response.status_code == 302
    return web, user


def take_quiz(
    app: Flask, web: Web, right: set[int], slug: str = DEMO_SLUG, version: int = 1
) -> None:
    """Finish the modules (once) and submit one attempt with the given questions right."""
    complete_modules(web, slug)
    attempt = start_quiz(web, slug)
    response = web.submit(
        f"/courses/{slug}/quiz",
        answers(app, right, slug, version),
        action=f"/courses/{slug}/quiz/{attempt}",
    )
    assert response.status_code == 302, response.get_data(as_text=True)


ALL_BUT_LAST = {1, 2, 3, 4}  # 5 of 6 points (question 4 has 2) = 83 %: a pass (70 %)
NONE: set[int] = set()


class Cells(HTMLParser):
    """The text of each table row, cell by cell, keyed by the row header's text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_rows(page: str) -> list[list[str]]:
    parser = Cells()
    parser.feed(page)
    return parser.rows


def row_starting(page: str, text: str) -> list[str]:
    found = [row for row in table_rows(page) if row and row[0].startswith(text)]
    assert found, f"no row starting with {text!r}"
    return found[0]


@pytest.fixture
def cohort(app: Flask, demo: None, create_user: Callable[..., Any], clock: Clock) -> None:
    """Six learners, all enrolled at the start:

    Ann  passes at once (5 of 6 points), 2 hours in      -> completed, 1 attempt
    Eve  passes at once (5 of 6), 1 day in               -> completed, 1 attempt
    Bob  fails (0 of 6), then passes (5 of 6), 3 days in -> completed, 2 attempts
    Cat  fails twice                                     -> 2 attempts
    Fay  fails once (2 of 6: questions 1 and 2 right)    -> 1 attempt
    Dan  only enrols
    """
    people = {
        name: enrolled(app, create_user, name)[0] for name in ("Ann", "Eve", "Bob", "Cat", "Fay")
    }
    enrolled(app, create_user, "Dan")
    clock.advance(hours=2)
    take_quiz(app, people["Ann"], ALL_BUT_LAST)
    clock.advance(hours=22)
    take_quiz(app, people["Eve"], ALL_BUT_LAST)
    take_quiz(app, people["Bob"], NONE)
    take_quiz(app, people["Cat"], NONE)
    take_quiz(app, people["Cat"], NONE)
    take_quiz(app, people["Fay"], {1, 2})
    clock.advance(days=2)
    take_quiz(app, people["Bob"], ALL_BUT_LAST)


def test_report_counts_learners_passes_attempts_and_time(trainer, cohort):
    response = trainer.get(REPORT)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    row = row_starting(page, "Version 1")
    # Version | approval | enrolments | completions | pass rate | mean attempts | median | mean
    assert row[1] == "IICRC-CEC-26-0142"
    assert row[2:] == [
        "6",
        "3",
        "60% (3 of 5)",  # Ann, Eve, Bob passed; Cat and Fay did not; Dan never attempted
        "1.4",  # (1 + 1 + 2 + 2 + 1) / 5
        "24.0 hours",  # median of 2 h, 24 h, 72 h
        "32.7 hours",  # (2 + 24 + 72) / 3 = 32.67 h
    ]
    assert "Download the completion roster" in page
    assert f'href="{ROSTER}"' in page


def test_item_statistics_use_each_learners_first_attempt(trainer, cohort):
    page = trainer.get(REPORT).get_data(as_text=True)
    assert "first</strong> finished attempt (5 learners)" in page
    rows = {row[0]: row for row in table_rows(page) if row and row[0].isdigit()}
    # Points: 1, 1, 1, 2 (question 4, multiple select), 1. First attempts (questions 1-5):
    # Ann 1 1 1 1 0 (total 5), Eve the same (5), Bob 0 0 0 0 0 (0; his second attempt does
    # not count), Cat 0 0 0 0 0 (0), Fay 1 1 0 0 0 (2). Rest score = total - points * item.
    # Q1: x = [1,1,0,0,1], rest = [4,4,0,0,1], mx = 0.6, my = 1.8: Sxy = 9 - 5.4 = 3.6,
    #     Sxx = 3 - 1.8 = 1.2, Syy = 33 - 5*3.24 = 16.8, r = 3.6/sqrt(20.16) = 0.80
    # Q3: x = [1,1,0,0,0], rest = [4,4,0,0,2], mx = 0.4, my = 2: Sxy = 8 - 4 = 4, Sxx = 1.2,
    #     Syy = 36 - 20 = 16, r = 4/sqrt(19.2) = 0.91
    # Q4: x = [1,1,0,0,0], rest = [3,3,0,0,2], my = 1.6: Sxy = 6 - 3.2 = 2.8, Sxx = 1.2,
    #     Syy = 22 - 12.8 = 9.2, r = 2.8/sqrt(11.04) = 0.84
    # Q5: nobody right: 0 %, r undefined, flagged as too hard.
    # Upper-lower, groups of round(0.27 * 5) = 1: lowest total Bob (0; before Cat), highest
    # Ann (5; before Eve): Q1, Q3, Q4: 1 - 0 = 1.00; Q5: 0 - 0.
    assert rows["1"][3:7] == ["5", "60%", "0.80", "1.00"]
    assert rows["3"][3:7] == ["5", "40%", "0.91", "1.00"]
    assert rows["4"][3:7] == ["5", "40%", "0.84", "1.00"]
    assert rows["5"][3:7] == ["5", "0%", "undefined", "0.00"]
    assert rows["5"][7] == "Check: too hard: 0% correct"
    assert rows["1"][7] == "No problem found."
    assert rows["4"][2] == "Multiple select"


def test_too_few_responses_are_not_judged(app, trainer, demo, create_user):
    web, _ = enrolled(app, create_user)
    take_quiz(app, web, NONE)
    page = trainer.get(REPORT).get_data(as_text=True)
    assert "(1 learner)" in page
    assert "Not judged: fewer than 5 responses." in page
    assert "Check:" not in page


def test_empty_state_before_any_graded_attempt(app, trainer, create_user):
    web, _ = enrolled(app, create_user)
    complete_modules(web, DEMO_SLUG)
    start_quiz(web, DEMO_SLUG)  # open, not graded: not counted anywhere
    page = trainer.get(REPORT).get_data(as_text=True)
    assert "No learner has finished the quiz of version 1 yet" in page
    assert "Nobody has completed this course yet." in page
    assert row_starting(page, "Version 1")[2:] == ["1", "0", "–", "–", "–", "–"]


def test_versions_are_reported_apart_and_the_selector_is_checked(
    app, trainer, create_user, cohort, draft
):
    page = trainer.get(REPORT).get_data(as_text=True)
    # The draft version 2 has no learners; the question statistics default to version 1,
    # the newest with graded attempts.
    assert row_starting(page, "Version 2")[2:4] == ["0", "0"]
    assert row_starting(page, "All versions")[2:5] == ["6", "3", "60% (3 of 5)"]
    assert "first</strong> finished attempt (5 learners)" in page
    assert re.search(r'<option value="1" selected>', page)
    second = trainer.get(REPORT + "?version=2").get_data(as_text=True)
    assert "No learner has finished the quiz of version 2 yet" in second
    assert trainer.get(REPORT + "?version=1").status_code == 200
    for bad in ("abc", "-1", "7", "0", "1.0", "99999999999999999999", "²", "%EF%BC%91"):
        response = trainer.get(REPORT + "?version=" + bad)
        assert response.status_code == 400, bad
        assert "There is no such version of this course" in response.get_data(as_text=True)
    assert trainer.get(REPORT + "?version=1%00").status_code == 400  # the NUL guard


def test_latest_completions_escape_hostile_names(app, trainer, create_user):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    web, _ = enrolled(app, create_user, hostile)
    take_quiz(app, web, ALL_BUT_LAST)
    page = trainer.get(REPORT).get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_only_the_owner_and_admins_see_reports_and_rosters(
    app, trainer, admin, other_trainer, create_user
):
    for path in (REPORT, ROSTER):
        assert trainer.get(path).status_code == 200
        assert admin.get(path).status_code == 200
        assert other_trainer.get(path).status_code == 404
        learner, _ = enrolled(app, create_user)
        assert learner.get(path).status_code == 403
        anonymous = app.test_client().get(path)
        assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    # The same 404 for a course that does not exist, or a slug that could not.
    assert trainer.get("/studio/courses/no-such-course/report").status_code == 404
    assert trainer.get("/studio/courses/BAD%00slug/roster.csv").status_code in (400, 404)


def test_the_report_needs_the_same_number_of_queries_for_more_learners(
    app, trainer, create_user, statements
):
    web, _ = enrolled(app, create_user)
    take_quiz(app, web, ALL_BUT_LAST)
    few = statements.during(lambda: trainer.get(REPORT))
    for right in (NONE, {1}, {1, 2, 3, 4, 5}, {2, 3}):
        web, _ = enrolled(app, create_user)
        take_quiz(app, web, right)
    many = statements.during(lambda: trainer.get(REPORT))
    assert many == few
    roster_few = statements.during(lambda: trainer.get(ROSTER))
    web, _ = enrolled(app, create_user)
    take_quiz(app, web, ALL_BUT_LAST)
    assert statements.during(lambda: trainer.get(ROSTER)) == roster_few


def test_a_new_course_with_an_empty_quiz_reports_empty_states(app, trainer, admin, clock):
    from lms.catalogue.models import Certification
    from lms.db import session
    from lms.studio import lifecycle

    with app.app_context():
        stranger = create_user_in_app(app, clock)
        course = lifecycle.create_draft(
            owner_id=stranger,
            title="<b>Odour</b> & control",
            summary="",
            provider_name="Northfield Restoration Academy",
            credits="1",
            certifications=list(session().scalars(select(Certification)).all()[:1]),
            now=clock(),
        )
        session().commit()
        slug = course.slug
    # Another trainer's course: the demo trainer gets a 404, an admin sees it.
    assert trainer.get(f"/studio/courses/{slug}/report").status_code == 404
    response = admin.get(f"/studio/courses/{slug}/report")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "&lt;b&gt;Odour&lt;/b&gt; &amp; control" in page and "<b>Odour" not in page
    assert "No learner has finished the quiz of version 1 yet" in page
    assert row_starting(page, "Version 1")[1:4] == ["none recorded", "0", "0"]
    roster = admin.get(f"/studio/courses/{slug}/roster.csv")
    assert roster.status_code == 200
    assert roster.get_data().decode("utf-8-sig").count("\r\n") == 1  # the header alone


def create_user_in_app(app: Flask, clock: Clock) -> int:
    from lms.accounts.operations import create_user

    return create_user(
        name="Sam Stranger",
        email="stranger@example.org",
        password="another long pass",
        role="trainer",
        now=clock(),
    ).id
