"""Every studio route refuses another trainer's course, found by walking the URL map: a route
added later is covered without touching this file."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import DEMO_SLUG, signed_in

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def studio_rules(app) -> list:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.rule.startswith("/studio")),
        key=lambda r: r.rule,
    )


def _values(app, rule) -> dict:
    """Real ids of the demo trainer's draft (version 2) for the rule's arguments."""
    from lms.catalogue.operations import course_version
    from quizzes import Quiz

    with app.app_context():
        draft = course_version(DEMO_SLUG, 2)
        quiz = app.extensions["lms"].db.session.get(Quiz, draft.final_quiz_id)
        known = {
            "slug": DEMO_SLUG,
            "version": 2,
            "position": draft.modules[0].position,
            "question_id": quiz.questions[0].id,
            "course_id": draft.id,
        }
    missing = set(rule.arguments) - set(known)
    assert not missing, f"{rule.rule}: teach this test the argument(s) {missing}"
    return {name: known[name] for name in rule.arguments}


def _snapshot(app) -> list:
    """Every row a studio route could change."""
    from lms.catalogue.models import Course, Media, Module
    from quizzes import Question, Quiz

    with app.app_context():
        db = app.extensions["lms"].db.session
        rows = []
        for model in (Course, Module, Media, Quiz, Question):
            for row in db.scalars(select(model).order_by(model.id)):
                rows.append(
                    (model.__name__, *(str(getattr(row, c.key)) for c in model.__table__.columns))
                )
        db.remove()
        return rows


def _call(web, method: str, url: str, token: str):
    data = {"csrf_token": token} if method != "GET" else None
    return web.client.open(url, method=method, data=data)


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _token(web, page: str) -> str:
    match = CSRF_RE.search(web.get(page).get_data(as_text=True))
    assert match, page
    return match.group(1)


def test_every_course_route_is_refused_to_another_trainer_and_to_learners(
    app, draft, other_trainer, create_user
):
    learner_user = create_user()
    learner = signed_in(app, learner_user.email, learner_user.plain_password)
    tokens = {
        "trainer": _token(other_trainer, "/studio/"),
        "learner": _token(learner, "/dashboard"),
    }
    before = _snapshot(app)

    tried = 0
    course_rules = [r for r in studio_rules(app) if "slug" in r.arguments]
    assert len(course_rules) >= 15, [r.rule for r in course_rules]
    for rule in course_rules:
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **_values(app, rule))
        for method in sorted(rule.methods - IGNORED_METHODS):
            response = _call(other_trainer, method, url, tokens["trainer"])
            assert response.status_code == 404, (method, url, response.status_code)
            response = _call(learner, method, url, tokens["learner"])
            assert response.status_code == 403, (method, url, response.status_code)
            tried += 1
    assert _snapshot(app) == before
    print(f"studio course routes x methods refused: {tried}")


def test_the_owner_and_admins_do_open_those_pages(app, draft, trainer, admin):
    """The matrix above means something only if the same addresses work for the owner."""
    pages = [r for r in studio_rules(app) if "slug" in r.arguments and "GET" in r.methods]
    for rule in pages:
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **_values(app, rule))
        for web in (trainer, admin):
            assert web.get(url).status_code in (200, 302), url


@pytest.mark.parametrize("path", ["/studio/", "/admin/"])
def test_learners_never_reach_the_studio_or_admin_pages(app, demo, create_user, path):
    user = create_user()
    learner = signed_in(app, user.email, user.plain_password)
    assert learner.get(path).status_code == 403
