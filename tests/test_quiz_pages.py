"""The quiz as a learner meets it through the app: no answer leaks during an open attempt,
the review policy, the server-side time limit, autosave and resume."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import func, select

from lms.credits.models import CreditEntry
from quizzes.models import Attempt, Question
from tests.conftest import Web, answer_key, complete_modules, start_quiz, wrong_key

SLUG = "leak-test-course"
MARK = "LEAKMARK"  # every answer, feedback and explanation below carries it


def marker_quiz(**settings) -> dict:
    """One question of every type; the key, the feedback and the explanations are marked,
    while everything a learner must see to answer (prompts, choices) is not."""
    return {
        "title": "Marked quiz",
        "pass_percent": 50,
        "settings": settings,
        "questions": [
            {
                "type": "single",
                "prompt": "Pick one.",
                "explanation": f"{MARK}-EXPLAIN-single",
                "choices": [
                    {"text": "Alpha", "correct": True, "feedback": f"{MARK}-FB-single-right"},
                    {"text": "Beta", "feedback": f"{MARK}-FB-single-wrong"},
                    {"text": "Gamma", "weight": 50, "feedback": f"{MARK}-FB-single-half"},
                ],
            },
            {
                "type": "multiple",
                "scoring": "partial",
                "prompt": "Pick some.",
                "explanation": f"{MARK}-EXPLAIN-multiple",
                "choices": [
                    {"text": "One", "correct": True, "feedback": f"{MARK}-FB-multi-1"},
                    {"text": "Two", "correct": True, "feedback": f"{MARK}-FB-multi-2"},
                    {"text": "Three", "feedback": f"{MARK}-FB-multi-3"},
                ],
            },
            {
                "type": "truefalse",
                "prompt": "Is it so?",
                "answer": True,
                "feedback_true": f"{MARK}-FB-tf-true",
                "feedback_false": f"{MARK}-FB-tf-false",
                "explanation": f"{MARK}-EXPLAIN-tf",
            },
            {
                "type": "short",
                "prompt": "Type the word.",
                "answers": [
                    {"text": f"{MARK}-SHORT-answer", "feedback": f"{MARK}-FB-short"},
                    {"text": f"{MARK}-SHORT-half", "weight": 50},
                ],
                "explanation": f"{MARK}-EXPLAIN-short",
            },
            {
                "type": "numeric",
                "prompt": "Type the number.",
                "answers": [
                    {"value": "8675309.25", "tolerance": "0.01", "feedback": f"{MARK}-FB-num"}
                ],
                "explanation": f"{MARK}-EXPLAIN-numeric",
            },
            {
                "type": "matching",
                "prompt": "Match them.",
                "pairs": [
                    {"left": "North", "right": "Cold"},
                    {"left": "South", "right": "Warm"},
                    {"left": "Desert", "right": "Dry"},
                ],
                "explanation": f"{MARK}-EXPLAIN-matching",
            },
            {
                "type": "ordering",
                "prompt": "Order them.",
                "items": ["First", "Second", "Third", "Fourth"],
                "explanation": f"{MARK}-EXPLAIN-ordering",
            },
        ],
    }


def make_course(app: Flask, quiz: dict, slug: str = SLUG, status: str = "published") -> None:
    from lms.catalogue.models import Certification, Provider
    from lms.catalogue.operations import create_course

    with app.app_context():
        db = app.extensions["lms"].db.session
        create_course(
            slug=slug,
            title="A course with a marked quiz",
            summary="For tests.",
            provider=db.scalars(select(Provider)).first(),
            credits=Decimal("1.5"),
            certifications=list(db.scalars(select(Certification)).all()[:1]),
            modules=[{"title": "Only module", "body": "Read this."}],
            quiz=quiz,
            now=app.extensions["lms"].clock(),
            status=status,
        )


def ready(app: Flask, create_user, slug: str = SLUG) -> tuple[Web, int]:
    learner = create_user()
    web = Web(app.test_client())
    web.login(learner.email, learner.plain_password)
    web.submit(f"/courses/{slug}", action=f"/courses/{slug}/enrol")
    complete_modules(web, slug)
    return web, start_quiz(web, slug)


def as_form(answers: dict[str, list[str]]) -> dict[str, list[str]]:
    return dict(answers)


def _learner_pages(slug: str, attempt_ids: list[int]) -> list[str]:
    pages = [
        "/",
        f"/courses/{slug}",
        f"/courses/{slug}/modules/1",
        f"/courses/{slug}/quiz",
        "/dashboard",
    ]
    pages += [f"/courses/{slug}/quiz/{a}" for a in attempt_ids]
    return pages


def _assert_no_marker(response, where: str) -> None:
    body = response.get_data(as_text=True)
    headers = str(response.headers)
    found = re.findall(rf"{MARK}[-\w]*|8675309", body + headers)
    assert not found, f"{where} leaks {sorted(set(found))}"


def test_no_answer_or_feedback_leaks_during_an_open_attempt(app, demo, create_user, clock):
    """A failed first attempt (with answers shown "immediately" after it), then a second,
    open one: while it is open, no page, JSON or attribute carries a marked string."""
    make_course(app, marker_quiz(review_shows="answers", review_when="immediately"))
    web, first = ready(app, create_user)
    submitted = web.submit(
        f"/courses/{SLUG}/quiz", wrong_key(app, SLUG), action=f"/courses/{SLUG}/quiz/{first}"
    )
    assert submitted.status_code == 302
    # Positive control: with no attempt open, the review shows the answers: the check can fail.
    review = web.get(f"/courses/{SLUG}/quiz/{first}").get_data(as_text=True)
    assert f"{MARK}-EXPLAIN-single" in review and f"{MARK}-SHORT-answer" in review

    second = start_quiz(web, SLUG)
    assert second != first
    half = {k: v for k, v in list(answer_key(app, SLUG).items())[:3]}
    for path in _learner_pages(SLUG, [first, second]):
        response = web.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        _assert_no_marker(response, path)
    saved = web.client.post(
        f"/courses/{SLUG}/quiz/{second}/save",
        data={"csrf_token": web.token(f"/courses/{SLUG}/quiz"), **half},
        headers={"Accept": "application/json"},
    )
    assert saved.status_code == 200 and saved.json["saved"] is True
    _assert_no_marker(saved, "the autosave JSON")
    bad = web.client.post(
        f"/courses/{SLUG}/quiz/{second}/save",
        data={"csrf_token": web.token(f"/courses/{SLUG}/quiz"), "q-999999": "x"},
        headers={"Accept": "application/json"},
    )
    assert bad.status_code == 400
    _assert_no_marker(bad, "the autosave error")
    page = web.get(f"/courses/{SLUG}/quiz")
    _assert_no_marker(page, "the quiz page after autosave")
    # Inputs carry nothing but what a form needs.
    attributes = set(re.findall(r"<(?:input|select|option)\b([^>]*)>", page.get_data(as_text=True)))
    names = {n for attrs in attributes for n in re.findall(r"([\w-]+)=", attrs)}
    assert names <= {
        "type",
        "name",
        "value",
        "id",
        "maxlength",
        "autocomplete",
        "spellcheck",
        "inputmode",
    }


def test_review_policy_answers_immediately_shows_key_feedback_and_explanation(
    app, demo, create_user
):
    make_course(app, marker_quiz(review_shows="answers", review_when="immediately"))
    web, attempt = ready(app, create_user)
    web.submit(
        f"/courses/{SLUG}/quiz", wrong_key(app, SLUG), action=f"/courses/{SLUG}/quiz/{attempt}"
    )
    page = web.get(f"/courses/{SLUG}/quiz/{attempt}").get_data(as_text=True)
    assert "Not passed yet" in page
    assert page.count("Wrong") >= 7
    for marker in ("EXPLAIN-numeric", "SHORT-answer", "FB-single-wrong", "FB-tf-false"):
        assert f"{MARK}-{marker}" in page
    assert "8675309.25 ± 0.01" in page
    assert "North → Cold" in page


def test_review_policy_which_were_wrong_shows_no_key(app, demo, create_user):
    make_course(app, marker_quiz(review_shows="wrong", review_when="immediately"))
    web, attempt = ready(app, create_user)
    web.submit(
        f"/courses/{SLUG}/quiz", wrong_key(app, SLUG), action=f"/courses/{SLUG}/quiz/{attempt}"
    )
    response = web.get(f"/courses/{SLUG}/quiz/{attempt}")
    page = response.get_data(as_text=True)
    assert page.count("Wrong") >= 7 and "Your answer:" in page
    assert "Correct answer:" not in page
    _assert_no_marker(response, "a 'which were wrong' review")


def test_review_after_pass_opens_only_once_passed(app, demo, create_user):
    make_course(app, marker_quiz(review_shows="answers", review_when="after_pass"))
    web, first = ready(app, create_user)
    web.submit(
        f"/courses/{SLUG}/quiz", wrong_key(app, SLUG), action=f"/courses/{SLUG}/quiz/{first}"
    )
    response = web.get(f"/courses/{SLUG}/quiz/{first}")
    _assert_no_marker(response, "the review before passing")
    assert "opens once you pass" in response.get_data(as_text=True)
    second = start_quiz(web, SLUG)
    web.submit(
        f"/courses/{SLUG}/quiz", answer_key(app, SLUG), action=f"/courses/{SLUG}/quiz/{second}"
    )
    page = web.get(f"/courses/{SLUG}/quiz/{first}").get_data(as_text=True)
    assert f"{MARK}-EXPLAIN-single" in page  # now both attempts may be reviewed


def test_score_only_review_shows_the_score_and_nothing_else(app, demo, create_user):
    make_course(app, marker_quiz())  # the default policy: score only
    web, attempt = ready(app, create_user)
    web.submit(
        f"/courses/{SLUG}/quiz", wrong_key(app, SLUG), action=f"/courses/{SLUG}/quiz/{attempt}"
    )
    response = web.get(f"/courses/{SLUG}/quiz/{attempt}")
    assert "Score: 0.0 %" in response.get_data(as_text=True)
    assert "Your answer:" not in response.get_data(as_text=True)
    _assert_no_marker(response, "a score-only review")


def _credits(app: Flask) -> int:
    with app.app_context():
        db = app.extensions["lms"].db.session
        count = db.scalar(select(func.count()).select_from(CreditEntry))
        db.remove()
        return count


def _attempt(app: Flask, attempt_id: int) -> Attempt:
    with app.app_context():
        db = app.extensions["lms"].db.session
        attempt = db.get(Attempt, attempt_id)
        db.expunge(attempt)
        db.remove()
        return attempt


def test_the_time_limit_is_the_servers(app, demo, create_user, clock):
    """The page counts down from the server's deadline; answers within the grace are taken;
    after it, what was sent is refused and what was saved before the deadline is graded."""
    make_course(app, marker_quiz(time_limit_minutes=10))
    web, attempt_id = ready(app, create_user)
    page = web.get(f"/courses/{SLUG}/quiz").get_data(as_text=True)
    assert 'data-seconds-left="600"' in page and "10:00" in page
    clock.advance(minutes=4)
    assert 'data-seconds-left="360"' in web.get(f"/courses/{SLUG}/quiz").get_data(as_text=True)

    key = answer_key(app, SLUG)
    token = web.token(f"/courses/{SLUG}/quiz")
    saved = web.client.post(
        f"/courses/{SLUG}/quiz/{attempt_id}/save",
        data={"csrf_token": token, **key},
        headers={"Accept": "application/json"},
    )
    assert saved.status_code == 200 and saved.json["seconds_left"] == 360
    clock.advance(minutes=6, seconds=20)  # past the deadline, within the 30 s grace
    assert (
        web.client.post(
            f"/courses/{SLUG}/quiz/{attempt_id}/save",
            data={"csrf_token": token, **wrong_key(app, SLUG)},
            headers={"Accept": "application/json"},
        ).status_code
        == 200
    )
    clock.advance(seconds=11)  # now past the grace: the answers sent are refused
    late = web.client.post(
        f"/courses/{SLUG}/quiz/{attempt_id}",
        data={"csrf_token": token, **key},
    )
    assert late.status_code == 302
    attempt = _attempt(app, attempt_id)
    assert attempt.finish_reason == "timed_out" and attempt.finished_at == attempt.deadline
    assert attempt.passed is False  # graded with the wrong answers saved in the grace
    assert _credits(app) == 0


def test_an_expired_attempt_with_passing_saved_answers_is_closed_and_credited(
    app, demo, create_user, clock
):
    """The learner saved passing answers and closed the browser; the attempt is closed at its
    deadline the next time anyone looks, and the course is credited on the deadline's date."""
    make_course(app, marker_quiz(time_limit_minutes=5))
    web, attempt_id = ready(app, create_user)
    saved = web.submit(
        f"/courses/{SLUG}/quiz",
        answer_key(app, SLUG),
        action=f"/courses/{SLUG}/quiz/{attempt_id}/save",
    )
    assert saved.status_code == 302  # the no-JS "Save and finish later" button
    clock.advance(hours=3)
    page = web.get(f"/courses/{SLUG}/quiz").get_data(as_text=True)
    assert "You passed and completed this course" in page
    attempt = _attempt(app, attempt_id)
    assert attempt.state == "graded" and attempt.passed and attempt.finish_reason == "timed_out"
    assert _credits(app) == 1


def test_the_cli_sweep_closes_expired_attempts_once(app, demo, create_user, clock, runner):
    make_course(app, marker_quiz(time_limit_minutes=5))
    web, attempt_id = ready(app, create_user)
    web.submit(
        f"/courses/{SLUG}/quiz",
        answer_key(app, SLUG),
        action=f"/courses/{SLUG}/quiz/{attempt_id}/save",
    )
    clock.advance(minutes=6)
    # Outside a request, signing the certificate needs the site's address.
    refused = runner.invoke(args=["quizzes", "close-expired"])
    assert refused.exit_code == 1 and "set LMS_BASE_URL" in refused.output
    assert _credits(app) == 0
    app.config["LMS_BASE_URL"] = "https://ce.example.org"
    first = runner.invoke(args=["quizzes", "close-expired"])
    assert first.exit_code == 0 and "Closed 1 expired attempt" in first.output
    second = runner.invoke(args=["quizzes", "close-expired"])
    assert "Closed 0 expired attempts" in second.output
    assert _credits(app) == 1


def test_autosave_and_resume_after_the_browser_closes(app, demo, create_user):
    make_course(app, marker_quiz())
    web, attempt_id = ready(app, create_user)
    key = answer_key(app, SLUG)
    with app.app_context():
        db = app.extensions["lms"].db.session
        by_type = {
            q.qtype: f"q-{q.id}" for q in db.scalars(select(Question)).all() if f"q-{q.id}" in key
        }
        db.remove()
    partial = {
        name: key[name] for name in (by_type["short"], by_type["ordering"], by_type["matching"])
    }
    response = web.client.post(
        f"/courses/{SLUG}/quiz/{attempt_id}/save",
        data={"csrf_token": web.token(f"/courses/{SLUG}/quiz"), **partial},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200

    # A new browser: sign in again; the attempt is resumed with the saved answers filled in.
    fresh = Web(app.test_client())
    with app.app_context():
        from lms.accounts.models import User

        db = app.extensions["lms"].db.session
        user_email = db.get(User, _attempt(app, attempt_id).user_id).email
        db.remove()
    fresh.login(user_email, "correct horse battery")
    page = fresh.get(f"/courses/{SLUG}/quiz").get_data(as_text=True)
    assert f'action="/courses/{SLUG}/quiz/{attempt_id}"' in page
    short_answer = key[by_type["short"]][0]
    assert f'value="{short_answer}"' in page
    first_place = key[by_type["ordering"]][0]
    assert re.search(rf'<option value="{first_place}" selected>', page)
    for pair in key[by_type["matching"]]:
        assert f'<option value="{pair}" selected>' in page


def test_invalid_answers_are_refused_with_a_message_and_nothing_saved(app, demo, create_user):
    make_course(app, marker_quiz())
    web, attempt_id = ready(app, create_user)
    with app.app_context():
        db = app.extensions["lms"].db.session
        numeric = (
            db.scalars(
                select(Question).where(
                    Question.qtype == "numeric", Question.prompt == "Type the number."
                )
            )
            .one()
            .id
        )
        db.remove()
    response = web.submit(
        f"/courses/{SLUG}/quiz",
        {f"q-{numeric}": "seven"},
        action=f"/courses/{SLUG}/quiz/{attempt_id}",
    )
    assert response.status_code == 400
    assert "must be a number" in response.get_data(as_text=True)
    attempt = _attempt(app, attempt_id)
    assert attempt.state == "open" and attempt.responses == {}


@pytest.mark.parametrize("field", ["score", "passed", "user_id", "max_score", "credits"])
def test_extra_fields_in_a_submission_are_ignored(app, demo, create_user, field):
    make_course(app, marker_quiz())
    web, attempt_id = ready(app, create_user)
    response = web.submit(
        f"/courses/{SLUG}/quiz",
        {**wrong_key(app, SLUG), field: "100"},
        action=f"/courses/{SLUG}/quiz/{attempt_id}",
    )
    assert response.status_code == 302
    attempt = _attempt(app, attempt_id)
    assert attempt.score == 0 and attempt.passed is False and attempt.max_score == 7


def test_attempts_are_limited_and_spaced(app, demo, create_user, clock):
    make_course(app, marker_quiz(max_attempts=2, cooldown_minutes=30))
    web, first = ready(app, create_user)
    web.submit(
        f"/courses/{SLUG}/quiz", wrong_key(app, SLUG), action=f"/courses/{SLUG}/quiz/{first}"
    )
    refused = web.submit(f"/courses/{SLUG}/quiz", action=f"/courses/{SLUG}/quiz/start")
    assert refused.status_code == 409
    assert "You can try again from" in refused.get_data(as_text=True)
    clock.advance(minutes=30)
    second = start_quiz(web, SLUG)
    web.submit(
        f"/courses/{SLUG}/quiz", wrong_key(app, SLUG), action=f"/courses/{SLUG}/quiz/{second}"
    )
    clock.advance(days=1)
    page = web.get(f"/courses/{SLUG}/quiz").get_data(as_text=True)
    assert "You have used all 2 attempts at this quiz." in page
    assert "Start the quiz" not in page and "Try again</button>" not in page
    assert (
        web.submit(f"/courses/{SLUG}/quiz", action=f"/courses/{SLUG}/quiz/start").status_code == 409
    )


def test_the_page_submitting_itself_at_zero_with_nothing_picked_is_graded(
    app, demo, create_user, clock
):
    """The countdown submits whatever is on the page; an empty form at the deadline is graded
    (with what autosave kept), not refused as a slip of the finger."""
    make_course(app, marker_quiz(time_limit_minutes=5))
    web, attempt_id = ready(app, create_user)
    early = web.submit(f"/courses/{SLUG}/quiz", action=f"/courses/{SLUG}/quiz/{attempt_id}")
    assert early.status_code == 400  # before the deadline an empty form is refused
    clock.advance(minutes=5)
    at_zero = web.submit(f"/courses/{SLUG}/quiz", action=f"/courses/{SLUG}/quiz/{attempt_id}")
    assert at_zero.status_code == 302
    attempt = _attempt(app, attempt_id)
    assert attempt.state == "graded" and attempt.score == 0
