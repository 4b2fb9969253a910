"""Bad input gets a clear message and a 4xx, never a 500, never a half-written record."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from certificates.models import Certificate
from lms.credits.models import CreditEntry
from lms.learning.models import Enrolment
from quizzes.models import Attempt
from tests.conftest import Web, answer_key, complete_modules, start_quiz

SLUG = "hot-water-extraction-fundamentals"


@pytest.fixture
def learner_web(app, demo, create_user) -> Web:  # noqa: ANN001
    user = create_user()
    web = Web(app.test_client())
    web.login(user.email, user.plain_password)
    return web


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/courses/no-such-course", "There is no course at this address."),
        ("/courses/" + "x" * 500, "There is no course at this address."),
        (f"/courses/{SLUG}/modules/99", "This course has no such module."),
        ("/courses/no-such-course/modules/1", "There is no course at this address."),
        ("/verify/does-not-exist", "No certificate has this id."),
        ("/verify/" + "A" * 300, "No certificate has this id."),
        ("/certificates/does-not-exist", "No certificate has this id."),
        ("/certificates/does-not-exist.pdf", "No certificate has this id."),
        ("/no/such/page", "Not found"),
    ],
)
def test_unknown_ids_get_a_clear_404_page(learner_web, path, message):
    response = learner_web.get(path)
    assert response.status_code == 404
    assert message in response.get_data(as_text=True)


def test_unknown_attempt_is_a_404(learner_web):
    learner_web.submit(f"/courses/{SLUG}", action=f"/courses/{SLUG}/enrol")
    assert learner_web.get(f"/courses/{SLUG}/quiz/987654").status_code == 404
    response = learner_web.submit(f"/courses/{SLUG}", action=f"/courses/{SLUG}/quiz/987654")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "action",
    [
        f"/courses/{SLUG}/enrol",
        f"/courses/{SLUG}/modules/1/complete",
        f"/courses/{SLUG}/quiz/start",
        "/logout",
        "/register",
        "/login",
        "/reset",
    ],
)
def test_a_post_without_csrf_token_is_refused_with_a_message(app, learner_web, action):
    response = learner_web.client.post(action, data={"email": "x@example.org"})
    assert response.status_code == 400
    assert "CSRF check failed" in response.get_data(as_text=True)
    with app.app_context():
        db = app.extensions["lms"].db.session
        assert db.scalar(select(func.count()).select_from(Enrolment)) == 0


def test_a_post_with_a_forged_csrf_token_is_refused(learner_web):
    response = learner_web.client.post(
        f"/courses/{SLUG}/enrol", data={"csrf_token": "forged.token.value"}
    )
    assert response.status_code == 400


def _ready(app, web: Web) -> int:  # noqa: ANN001
    web.submit(f"/courses/{SLUG}", action=f"/courses/{SLUG}/enrol")
    complete_modules(web, SLUG)
    return start_quiz(web, SLUG)


def _nothing_awarded(app) -> None:  # noqa: ANN001
    with app.app_context():
        db = app.extensions["lms"].db.session
        assert db.scalar(select(func.count()).select_from(CreditEntry)) == 0
        assert db.scalar(select(func.count()).select_from(Certificate)) == 0
        assert db.scalars(select(Attempt.state)).all() == ["open"]


@pytest.mark.parametrize("bad", ["foreign question", "unknown choice", "two single answers"])
def test_answers_outside_the_attempt_are_refused_and_nothing_is_graded(app, learner_web, bad):
    attempt_id = _ready(app, learner_web)
    answers = answer_key(app, SLUG)
    if bad == "foreign question":
        answers["q-999999"] = ["x"]
    elif bad == "unknown choice":
        key = next(iter(answers))
        answers[key] = ["not-a-choice"]
    else:
        single = next(
            k for k, v in answers.items() if len(v) == 1 and v[0] not in ("true", "false")
        )
        with app.app_context():
            from quizzes.models import Question

            question = app.extensions["lms"].db.session.get(Question, int(single[2:]))
            answers[single] = [c["id"] for c in question.config["choices"]][:2]
    response = learner_web.submit(
        f"/courses/{SLUG}", answers, action=f"/courses/{SLUG}/quiz/{attempt_id}"
    )
    assert response.status_code == 400
    assert "Your answers could not be read" in response.get_data(as_text=True)
    _nothing_awarded(app)


def test_the_quiz_cannot_start_before_the_modules_are_done(app, learner_web):
    learner_web.submit(f"/courses/{SLUG}", action=f"/courses/{SLUG}/enrol")
    response = learner_web.submit(f"/courses/{SLUG}", action=f"/courses/{SLUG}/quiz/start")
    assert response.status_code == 409
    assert "Finish every module" in response.get_data(as_text=True)


def test_a_module_cannot_be_completed_out_of_order(learner_web):
    learner_web.submit(f"/courses/{SLUG}", action=f"/courses/{SLUG}/enrol")
    response = learner_web.submit(f"/courses/{SLUG}", action=f"/courses/{SLUG}/modules/3/complete")
    assert response.status_code == 409
    assert "Finish the earlier modules first." in response.get_data(as_text=True)


def test_another_learners_attempt_and_certificate_are_not_found(app, demo, create_user):
    owner, intruder = create_user(), create_user()
    owner_web, intruder_web = Web(app.test_client()), Web(app.test_client())
    owner_web.login(owner.email, owner.plain_password)
    intruder_web.login(intruder.email, intruder.plain_password)
    attempt_id = _ready(app, owner_web)
    intruder_web.submit(f"/courses/{SLUG}", action=f"/courses/{SLUG}/enrol")

    stolen = intruder_web.submit(
        f"/courses/{SLUG}", answer_key(app, SLUG), action=f"/courses/{SLUG}/quiz/{attempt_id}"
    )
    assert stolen.status_code == 404
    assert intruder_web.get(f"/courses/{SLUG}/quiz/{attempt_id}").status_code == 404
    _nothing_awarded(app)

    owner_web.submit(
        f"/courses/{SLUG}", answer_key(app, SLUG), action=f"/courses/{SLUG}/quiz/{attempt_id}"
    )
    with app.app_context():
        public_id = app.extensions["lms"].db.session.scalars(select(Certificate.public_id)).one()
    assert owner_web.get(f"/certificates/{public_id}").status_code == 200
    assert intruder_web.get(f"/certificates/{public_id}").status_code == 404
    assert intruder_web.get(f"/certificates/{public_id}.pdf").status_code == 404


def test_healthz_answers_without_touching_the_database(app, client):
    statements: list[str] = []
    with app.app_context():
        engine = app.extensions["lms"].db.engine
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert statements == []
    client.get("/")  # the listener does see a page that reads
    assert statements


def test_csrf_tokens_outlast_a_long_module_but_not_the_configured_limit(
    app, learner_web, monkeypatch
):
    """A learner who reads for two hours can still press the button; after the LMS's limit
    (12 h by default, not Flask-WTF's one hour) the token is refused."""
    import time

    import itsdangerous.timed

    token = learner_web.token(f"/courses/{SLUG}")
    started = time.time()

    def later(hours: float) -> None:
        fake = type("FakeTime", (), {"time": staticmethod(lambda: started + hours * 3600)})
        monkeypatch.setattr(itsdangerous.timed, "time", fake)

    later(13)
    refused = learner_web.client.post(f"/courses/{SLUG}/enrol", data={"csrf_token": token})
    assert refused.status_code == 400
    assert "CSRF check failed" in refused.get_data(as_text=True)
    later(2)
    accepted = learner_web.client.post(f"/courses/{SLUG}/enrol", data={"csrf_token": token})
    assert accepted.status_code == 302


@pytest.mark.parametrize(
    "attempt_id", ["2147483648", "9223372036854775808", "99999999999999999999"]
)
def test_attempt_ids_beyond_the_database_range_are_404(learner_web, attempt_id):
    learner_web.submit(f"/courses/{SLUG}", action=f"/courses/{SLUG}/enrol")
    assert learner_web.get(f"/courses/{SLUG}/quiz/{attempt_id}").status_code == 404
    posted = learner_web.submit(f"/courses/{SLUG}", action=f"/courses/{SLUG}/quiz/{attempt_id}")
    assert posted.status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/courses/%00", "/verify/%00", "/certificates/abc%00", f"/courses/{SLUG}?x=%00", "/?q=a%00"],
)
def test_a_nul_character_in_a_url_is_a_clear_400(learner_web, path):
    response = learner_web.get(path)
    assert response.status_code in (400, 404)
    if response.status_code == 400:
        assert "NUL character" in response.get_data(as_text=True)


def test_a_nul_character_in_a_form_is_a_clear_400_on_any_database(app, web):
    response = web.submit("/login", {"email": "a\x00@example.org", "password": "whatever pw"})
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    signup = web.submit(
        "/register",
        {
            "name": "Nul\x00Name",
            "email": "n@example.org",
            "password": "long enough pw",
            "confirm": "long enough pw",
        },
    )
    assert signup.status_code == 400


def test_a_submission_without_any_answer_grades_nothing(app, learner_web):
    attempt_id = _ready(app, learner_web)
    response = learner_web.submit(
        f"/courses/{SLUG}", {"score": "100"}, action=f"/courses/{SLUG}/quiz/{attempt_id}"
    )
    assert response.status_code == 400
    assert "No answers were sent" in response.get_data(as_text=True)
    _nothing_awarded(app)


def test_verification_json_for_an_unknown_id_is_json_and_varies_by_accept(client, demo):
    missing = client.get("/verify/AAAAAAAAAAAAAAAAAAAAAAAA", headers={"Accept": "application/json"})
    assert missing.status_code == 404
    assert missing.get_json() == {"error": "not found", "message": "No certificate has this id."}
    assert "Accept" in missing.headers["Vary"]


def test_pages_carry_security_headers(client, demo):
    response = client.get(f"/courses/{SLUG}")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
