"""One passing attempt is graded once and earns one credit entry and one certificate,
however often and however concurrently it is submitted."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import func, select

from certificates.models import Certificate
from lms.credits.models import CreditEntry
from quizzes.models import Attempt
from tests.conftest import Web, answer_key, complete_modules, start_quiz

SLUG = "category-and-class-of-water-intrusion"


def _counts(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        db = app.extensions["lms"].db.session
        credits = db.scalar(select(func.count()).select_from(CreditEntry))
        certificates = db.scalar(select(func.count()).select_from(Certificate))
        graded = db.scalar(
            select(func.count()).select_from(Attempt).where(Attempt.state == "graded")
        )
        db.remove()
        return credits, certificates, graded


def _ready_to_submit(app: Flask, create_user) -> tuple[object, int]:  # noqa: ANN001
    learner = create_user()
    web = Web(app.test_client())
    web.login(learner.email, learner.plain_password)
    web.submit(f"/courses/{SLUG}", action=f"/courses/{SLUG}/enrol")
    complete_modules(web, SLUG)
    return learner, start_quiz(web, SLUG)


def test_submitting_the_same_passing_attempt_twice_awards_once(app, demo, create_user):
    learner, attempt_id = _ready_to_submit(app, create_user)
    web = Web(app.test_client())
    web.login(learner.email, learner.plain_password)
    answers = answer_key(app, SLUG)
    for _ in range(2):
        response = web.submit(
            f"/courses/{SLUG}", answers, action=f"/courses/{SLUG}/quiz/{attempt_id}"
        )
        assert response.status_code == 302
    assert _counts(app) == (1, 1, 1)
    dashboard = web.get("/dashboard").get_data(as_text=True)
    assert "<strong>2 CEC</strong>" in dashboard


@pytest.mark.parametrize("threads", [2, 20])
def test_threads_submitting_the_same_attempt_at_once_award_once(app, demo, create_user, threads):
    learner, attempt_id = _ready_to_submit(app, create_user)
    answers = answer_key(app, SLUG)
    webs = []
    for _ in range(threads):
        web = Web(app.test_client())
        web.login(learner.email, learner.plain_password)
        webs.append((web, web.token(f"/courses/{SLUG}")))
    barrier = threading.Barrier(threads)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def submit(web: Web, token: str) -> None:
        try:
            barrier.wait(timeout=10)
            response = web.client.post(
                f"/courses/{SLUG}/quiz/{attempt_id}", data={"csrf_token": token, **answers}
            )
            statuses.append(response.status_code)
        except BaseException as exc:  # surfaced below, not lost in the thread
            errors.append(exc)

    workers = [threading.Thread(target=submit, args=pair) for pair in webs]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors
    assert statuses == [302] * threads
    assert _counts(app) == (1, 1, 1)


def test_a_second_passing_attempt_after_the_award_adds_nothing(app, demo, create_user):
    """A second open attempt in the same enrolment is refused by the database itself; and a
    second passing attempt slipped in after the first (bypassing the engine's refusal to
    start after a pass) still awards the course only once."""
    from sqlalchemy.exc import IntegrityError

    learner, first = _ready_to_submit(app, create_user)

    def another_attempt() -> int:
        with app.app_context():
            db = app.extensions["lms"].db.session
            original = db.get(Attempt, first)
            db.add(
                Attempt(
                    quiz_id=original.quiz_id,
                    user_id=original.user_id,
                    context=original.context,
                    state="open",
                    started_at=original.started_at,
                    layout=original.layout,
                    responses={},
                )
            )
            db.commit()
            return db.scalars(select(func.max(Attempt.id))).one()

    with pytest.raises(IntegrityError):
        another_attempt()  # the first is still open: one open attempt per context
    web = Web(app.test_client())
    web.login(learner.email, learner.plain_password)
    answers = answer_key(app, SLUG)
    action = f"/courses/{SLUG}/quiz/{first}"
    assert web.submit(f"/courses/{SLUG}", answers, action=action).status_code == 302
    second = another_attempt()
    action = f"/courses/{SLUG}/quiz/{second}"
    assert web.submit(f"/courses/{SLUG}", answers, action=action).status_code == 302
    assert _counts(app) == (1, 1, 2)


def test_a_grader_holding_a_stale_open_attempt_cannot_regrade_it(app, demo, create_user, clock):
    """The engine's conditional update, alone: a second grader that read the attempt while it
    was open (a race lost by a hair) neither grades it again nor overwrites its answers."""
    from sqlalchemy.orm import Session

    from quizzes import finish_attempt
    from tests.conftest import wrong_key

    learner, attempt_id = _ready_to_submit(app, create_user)
    passing = {key[2:]: value for key, value in answer_key(app, SLUG).items()}
    failing = {key[2:]: value for key, value in wrong_key(app, SLUG).items()}
    with app.app_context():
        engine = app.extensions["lms"].db.engine
        # The late grader reads outside a transaction (as a GET does): on SQLite a transaction
        # holds the write lock from its BEGIN IMMEDIATE, so the race could not happen inside one.
        reading = engine.execution_options(lms_sqlite_begin="STATEMENT")
        with Session(reading) as late, Session(engine) as first:
            stale = late.get(Attempt, attempt_id)  # read (and held) before the first commit
            assert stale.state == "open"
            won = finish_attempt(
                first, attempt_id=attempt_id, user_id=learner.id, responses=passing, now=clock()
            )
            first.commit()
            lost = finish_attempt(
                late, attempt_id=attempt_id, user_id=learner.id, responses=failing, now=clock()
            )
            late.commit()
        assert won.newly_graded is True
        assert lost.newly_graded is False
        with Session(engine) as check:
            stored = check.get(Attempt, attempt_id)
            assert stored.passed is True
            assert stored.responses == passing
            assert stored.score == stored.max_score


def test_a_time_out_never_overwrites_an_autosave_that_landed_meanwhile(app, clock):
    """A sweep read the attempt (nothing saved), then an autosave within the grace committed,
    then the sweep closed it: the grade is of the saved answers, not of the stale read."""
    from datetime import timedelta

    from sqlalchemy.orm import Session

    from quizzes import close_expired, create_quiz, save_responses, start_attempt

    with app.app_context():
        engine = app.extensions["lms"].db.engine
        db = app.extensions["lms"].db.session
        quiz = create_quiz(
            db,
            title="Timed",
            pass_percent=100,
            questions=[{"type": "truefalse", "prompt": "Yes?", "answer": True}],
            now=clock(),
            time_limit_minutes=5,
        )
        db.flush()
        attempt = start_attempt(db, quiz_id=quiz.id, user_id=7, context="c", now=clock()).attempt
        db.commit()
        attempt_id, question_id, deadline = (
            attempt.id,
            attempt.layout[0]["question_id"],
            attempt.deadline,
        )
        db.remove()

    # Its read outside a transaction (SQLite's BEGIN IMMEDIATE would hold off the autosave).
    sweeper = Session(engine.execution_options(lms_sqlite_begin="STATEMENT"))
    stale = sweeper.get(Attempt, attempt_id)
    assert stale.saved_at is None  # the sweep's view, read before the autosave
    learner = Session(engine)
    save_responses(
        learner,
        attempt_id=attempt_id,
        user_id=7,
        responses={str(question_id): ["true"]},
        now=deadline + timedelta(seconds=10),  # within the grace: accepted
    )
    learner.commit()
    learner.close()
    closed = close_expired(sweeper, now=deadline + timedelta(minutes=1))
    sweeper.commit()
    assert [c.newly_graded for c in closed] == [True]
    graded = closed[0].attempt
    assert graded.responses == {str(question_id): ["true"]} and graded.passed is True
    sweeper.close()
