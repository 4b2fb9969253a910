"""The quiz engine's attempt rules, driven through its functions on a migrated database:
pools and draw rules, attempt limits and cooldowns, the time limit and its grace, autosave,
and what a review may show when."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

import quizzes
from quizzes import (
    DEFAULT_GRACE,
    Attempt,
    AttemptClosed,
    AttemptError,
    AttemptExpired,
    AttemptRefused,
    InvalidResponse,
    Question,
    Quiz,
    QuizDefinitionError,
)
from quizzes.types import QUESTION_TYPES

USER = 7
CONTEXT = "enrolment:1"
TRUE_FALSE = {"type": "truefalse", "answer": True}


@pytest.fixture
def db(app):
    with app.app_context():
        session = app.extensions["lms"].db.session
        yield session
        session.rollback()


def tf(prompt: str, **spec) -> dict:
    return {**TRUE_FALSE, "prompt": prompt, **spec}


def pooled_questions() -> list[dict]:
    """Pool A: five questions, A2 and A4 tagged "safety"; pool B: three. Every question is
    worth a different number of points, so a denominator tells which questions it counted."""
    return [
        tf("A1", pool="A", points=1),
        tf("A2", pool="A", points=2, tags=["safety"]),
        tf("A3", pool="A", points=4),
        tf("A4", pool="A", points=8, tags=["safety", "fire"]),
        tf("A5", pool="A", points=16),
        tf("B1", pool="B", points=32),
        tf("B2", pool="B", points=64),
        tf("B3", pool="B", points=128),
    ]


RULES = [
    {"pool": "A", "count": 3},
    {"pool": "A", "count": 1, "tag": "safety"},
    {"pool": "B", "count": 2},
]


def make_quiz(db: Session, clock, questions=None, *, pass_percent: int = 60, **settings) -> Quiz:
    quiz = quizzes.create_quiz(
        db,
        title="Water damage",
        pass_percent=pass_percent,
        questions=questions or [tf("Q1"), tf("Q2"), tf("Q3")],
        now=clock(),
        **settings,
    )
    db.flush()
    return quiz


def start(db: Session, quiz: Quiz, clock, *, user: int = USER, context: str = CONTEXT, **kw):
    return quizzes.start_attempt(
        db, quiz_id=quiz.id, user_id=user, context=context, now=clock(), **kw
    )


def questions_of(db: Session, attempt: Attempt) -> list[Question]:
    return [db.get(Question, item["question_id"]) for item in attempt.layout]


def answers(db: Session, attempt: Attempt, right: int | None = None) -> dict[str, list[str]]:
    """Answers to the attempt's questions: the first ``right`` correct, the rest wrong
    (all correct when ``right`` is None)."""
    result = {}
    for n, question in enumerate(questions_of(db, attempt)):
        key = QUESTION_TYPES[question.qtype].correct_response(question.config)
        if right is not None and n >= right:
            assert question.qtype == "truefalse"
            key = ["false"] if key == ["true"] else ["true"]
        result[str(question.id)] = key
    return result


def finish(db: Session, attempt: Attempt, clock, responses=None, *, user: int = USER):
    return quizzes.finish_attempt(
        db,
        attempt_id=attempt.id,
        user_id=user,
        responses=answers(db, attempt) if responses is None else responses,
        now=clock(),
    )


def save(db: Session, attempt: Attempt, clock, responses, *, user: int = USER):
    return quizzes.save_responses(
        db, attempt_id=attempt.id, user_id=user, responses=responses, now=clock()
    )


# Pools and draw rules -----------------------------------------------------------------------


def test_every_draw_follows_the_rules_and_the_denominator_is_the_draw(db, clock):
    quiz = make_quiz(db, clock, pooled_questions(), draw_rules=RULES)
    assert quiz.draw_rules == [
        {"pool": "A", "count": 3, "tag": None},
        {"pool": "A", "count": 1, "tag": "safety"},
        {"pool": "B", "count": 2, "tag": None},
    ]
    all_points = sum(q.points for q in quiz.questions)
    denominators = set()
    for seed in range(40):
        attempt = start(db, quiz, clock, context=f"seed:{seed}", rng=random.Random(seed)).attempt
        drawn = questions_of(db, attempt)
        ids = [q.id for q in drawn]
        assert len(ids) == 6
        assert len(set(ids)) == 6
        pools = Counter(q.pool for q in drawn)
        assert pools == {"A": 4, "B": 2}
        assert any("safety" in q.tags for q in drawn if q.pool == "A")
        result = finish(db, attempt, clock)
        assert result.newly_graded
        assert attempt.max_score == sum(q.points for q in drawn)
        assert attempt.max_score < all_points
        assert attempt.score == attempt.max_score
        assert attempt.passed is True
        denominators.add(attempt.max_score)
    assert len(denominators) > 1  # different draws, different denominators


def test_the_denominator_counts_drawn_questions_left_unanswered(db, clock):
    quiz = make_quiz(db, clock, pooled_questions(), draw_rules=RULES, pass_percent=50)
    attempt = start(db, quiz, clock, rng=random.Random(3)).attempt
    drawn = questions_of(db, attempt)
    best = max(drawn, key=lambda q: q.points)
    result = finish(db, attempt, clock, {str(best.id): ["true"]})
    assert attempt.score == best.points
    assert attempt.max_score == sum(q.points for q in drawn)
    assert attempt.passed is (best.points * 2 >= attempt.max_score)
    assert result.newly_graded


def test_different_seeds_draw_different_questions_in_different_orders(db, clock):
    questions = [*pooled_questions(), tf("Extra", pool="B", points=3)]
    questions[0] = {
        "type": "single",
        "prompt": "A1",
        "pool": "A",
        "choices": [
            {"text": "one", "correct": True},
            {"text": "two"},
            {"text": "three"},
            {"text": "four"},
        ],
    }
    quiz = make_quiz(db, clock, questions, draw_rules=RULES)
    single = quiz.questions[0]
    layouts = []
    for seed in range(30):
        attempt = start(db, quiz, clock, context=f"seed:{seed}", rng=random.Random(seed)).attempt
        layouts.append(attempt.layout)
    drawn_sets = {frozenset(item["question_id"] for item in layout) for layout in layouts}
    orders = {tuple(item["question_id"] for item in layout) for layout in layouts}
    choice_orders = {
        tuple(item["choices"])
        for layout in layouts
        for item in layout
        if item["question_id"] == single.id
    }
    assert len(drawn_sets) > 5
    assert len(orders) > 20
    assert len(choice_orders) > 3
    assert all(
        sorted(order) == sorted(c["id"] for c in single.config["choices"])
        for order in choice_orders
    )
    # The same seed draws the same layout again (the draw is the rng's, not the clock's).
    again = start(db, quiz, clock, context="again", rng=random.Random(0)).attempt
    assert again.layout == layouts[0]


def test_the_draw_and_choice_order_are_frozen_when_an_attempt_is_resumed(db, clock):
    questions = pooled_questions()
    questions[5] = {
        "type": "ordering",
        "prompt": "B1",
        "pool": "B",
        "items": ["Inspect", "Extract", "Dry", "Verify"],
    }
    quiz = make_quiz(db, clock, questions, draw_rules=RULES)
    first = start(db, quiz, clock, rng=random.Random(1))
    assert first.resumed is False
    layout = [dict(item) for item in first.attempt.layout]
    presented = quizzes.presented_questions(db, first.attempt)
    for seed in (2, 3, 4):
        clock.advance(minutes=5)
        again = start(db, quiz, clock, rng=random.Random(seed))
        assert again.resumed is True
        assert again.attempt.id == first.attempt.id
        assert again.attempt.layout == layout
        assert quizzes.presented_questions(db, again.attempt) == presented
    assert [p.id for p in presented] == [item["question_id"] for item in layout]
    for p, item in zip(presented, layout, strict=True):
        if "choices" in item:
            assert [c["id"] for c in p.choices] == item["choices"]
    assert len(quizzes.attempts_in(db, user_id=USER, context=CONTEXT)) == 1


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([{"pool": "A", "count": 6}], "draw rule 1: the pool 'A' has 5 questions, fewer than 6"),
        (
            [{"pool": "B", "count": 1}, {"pool": "A", "count": 3, "tag": "safety"}],
            "draw rule 2: the pool 'A' has 2 questions tagged 'safety', fewer than 3",
        ),
        ([{"pool": "C", "count": 1}], "draw rule 1: the pool 'C' has 0 questions"),
        ([{"pool": "A", "count": 0}], "draw rule 1's count must be from 1 to 1000"),
        ([{"pool": "A", "count": "two"}], "draw rule 1's count must be a whole number"),
        ([{"pool": "A"}, {"count": 1}], "draw rule 2: name a pool"),
        (["A"], "draw rule 1: name a pool"),
        ({"pool": "A"}, "draw rules must be a list"),
        # Each rule alone fits its pool; together they ask for more than it has.
        (
            [{"pool": "B", "count": 2}, {"pool": "B", "count": 2}],
            "draw rule 2: the pool 'B' has 1 question left",
        ),
        # Tagged rules draw first, so the untagged rule is the one left short.
        (
            [{"pool": "A", "count": 5}, {"pool": "A", "count": 1, "tag": "safety"}],
            "draw rule 1: the pool 'A' has 4 questions left",
        ),
        (
            [{"pool": "A", "count": 1, "tag": "fire"}, {"pool": "A", "count": 2, "tag": "safety"}],
            "draw rule 2: the pool 'A' has 1 question tagged 'safety' left",
        ),
        (
            [{"pool": "A", "tag": "safety"}, {"pool": "A", "count": 1, "tag": "fire"}],
            "draw rule 2: the pool 'A' has 0 questions tagged 'fire' left",
        ),
        # A rule without a count over a pool (or tag) that has no questions draws nothing.
        ([{"pool": "Z"}], "draw rule 1: the pool 'Z' has no questions"),
        (
            [{"pool": "A", "count": 1}, {"pool": "B", "tag": "safety"}],
            "draw rule 2: the pool 'B' has no questions tagged 'safety'",
        ),
    ],
)
def test_impossible_draw_rules_are_refused_naming_the_rule(db, clock, rules, message):
    with pytest.raises(QuizDefinitionError) as refused:
        quizzes.create_quiz(
            db,
            title="Pools",
            pass_percent=60,
            questions=pooled_questions(),
            now=clock(),
            draw_rules=rules,
        )
    assert message in str(refused.value)
    assert not db.new  # nothing half-created

    quiz = make_quiz(db, clock, pooled_questions(), draw_rules=RULES)
    with pytest.raises(QuizDefinitionError) as refused_again:
        quizzes.configure_quiz(quiz, max_attempts=2, draw_rules=rules)
    assert message in str(refused_again.value)
    assert quiz.max_attempts is None  # nothing is half-set
    assert quiz.draw_rules[0] == {"pool": "A", "count": 3, "tag": None}


@pytest.mark.parametrize(
    ("rules", "drawn"),
    [
        ([{"pool": "A", "count": 3}, {"pool": "A", "count": 2, "tag": "safety"}], 5),
        ([{"pool": "A", "count": 1, "tag": "fire"}, {"pool": "A", "count": 1, "tag": "safety"}], 2),
        ([{"pool": "A", "tag": "safety"}, {"pool": "A", "count": 3}], 5),
        ([{"pool": "B"}, {"pool": "A", "count": 1}], 4),
    ],
)
def test_tight_but_possible_draw_rules_are_accepted_and_drawn(db, clock, rules, drawn):
    quiz = make_quiz(db, clock, pooled_questions(), draw_rules=rules)
    for seed in range(15):
        attempt = start(db, quiz, clock, context=f"s{seed}", rng=random.Random(seed)).attempt
        ids = [item["question_id"] for item in attempt.layout]
        assert len(ids) == len(set(ids)) == drawn


# Attempts: how many, how often, which one counts --------------------------------------------


def test_max_attempts_are_counted_in_graded_attempts(db, clock):
    quiz = make_quiz(db, clock, max_attempts=2)
    for used in (1, 2):
        attempt = start(db, quiz, clock).attempt
        check = quizzes.start_check(
            quiz, quizzes.attempts_in(db, user_id=USER, context=CONTEXT), clock()
        )
        assert (check.used, check.remaining) == (used - 1, 3 - used)
        finish(db, attempt, clock, answers(db, attempt, right=0))
        assert attempt.passed is False
        clock.advance(minutes=1)
    check = quizzes.start_check(
        quiz, quizzes.attempts_in(db, user_id=USER, context=CONTEXT), clock()
    )
    assert (check.allowed, check.used, check.remaining) == (False, 2, 0)
    with pytest.raises(AttemptRefused, match="You have used all 2 attempts at this quiz"):
        start(db, quiz, clock)
    # Another context (another enrolment) and another person start afresh.
    assert start(db, quiz, clock, context="enrolment:2").resumed is False
    assert start(db, quiz, clock, user=USER + 1).resumed is False


def test_one_attempt_reads_in_the_singular(db, clock):
    quiz = make_quiz(db, clock, max_attempts=1)
    attempt = start(db, quiz, clock).attempt
    finish(db, attempt, clock, {})
    with pytest.raises(AttemptRefused, match="You have used all 1 attempt at this quiz"):
        start(db, quiz, clock)


def test_cooldown_refuses_until_retry_at_and_allows_exactly_then(db, clock):
    quiz = make_quiz(db, clock, cooldown_minutes=30)
    attempt = start(db, quiz, clock).attempt
    clock.advance(minutes=3)
    finish(db, attempt, clock, answers(db, attempt, right=1))
    assert attempt.passed is False
    retry_at = attempt.finished_at + timedelta(minutes=30)
    clock.advance(minutes=29, seconds=59)
    with pytest.raises(AttemptRefused) as refused:
        start(db, quiz, clock)
    assert refused.value.retry_at == retry_at
    assert f"{retry_at:%Y-%m-%d %H:%M}" in str(refused.value)
    clock.current = retry_at - timedelta(microseconds=1)
    with pytest.raises(AttemptRefused):
        start(db, quiz, clock)
    clock.current = retry_at
    second = start(db, quiz, clock)
    assert second.resumed is False
    assert second.attempt.id != attempt.id


def test_a_pass_ends_the_quiz_even_with_attempts_left(db, clock):
    quiz = make_quiz(db, clock, max_attempts=5)
    attempt = start(db, quiz, clock).attempt
    finish(db, attempt, clock)
    assert attempt.passed is True
    clock.advance(days=1)
    with pytest.raises(AttemptRefused, match="already passed"):
        start(db, quiz, clock)
    check = quizzes.start_check(quiz, [attempt], clock())
    assert (check.allowed, check.used, check.remaining) == (False, 1, 4)


@pytest.mark.parametrize(
    ("method", "expected"),
    [("highest", [2, 2, 2, 2, 3]), ("latest", [2, 1, 2, 0, 3])],
)
def test_grading_method_picks_the_highest_or_the_latest(db, clock, method, expected):
    quiz = make_quiz(db, clock, grading_method=method, pass_percent=100, max_attempts=5)
    assert quiz.grading_method == method
    attempts = []
    standing = []
    for right in (2, 1, 2, 0, 3):
        attempt = start(db, quiz, clock).attempt
        clock.advance(minutes=2)
        finish(db, attempt, clock, answers(db, attempt, right=right))
        attempts.append(attempt)
        standing.append(quizzes.quiz_result(attempts, quiz.grading_method).score)
    assert standing == [Decimal(n) for n in expected]
    assert attempts[-1].passed is True
    if method == "highest":  # equal best scores: the earliest stands
        assert quizzes.quiz_result(attempts[:4], method) is attempts[0]
    else:
        assert quizzes.quiz_result(attempts[:4], method) is attempts[3]
    assert quizzes.quiz_result([], method) is None
    open_attempt = Attempt(state="open", score=None, finished_at=None, id=999)
    assert quizzes.quiz_result([open_attempt], method) is None


# The time limit -----------------------------------------------------------------------------


def test_the_deadline_is_start_plus_the_limit_and_seconds_left_count_down(db, clock):
    quiz = make_quiz(db, clock, time_limit_minutes=20)
    attempt = start(db, quiz, clock).attempt
    assert attempt.deadline == clock() + timedelta(minutes=20)
    assert quizzes.seconds_left(attempt, clock()) == 1200
    clock.advance(minutes=5, seconds=30)
    assert quizzes.seconds_left(attempt, clock()) == 870
    # Resuming keeps the deadline fixed at the start.
    assert start(db, quiz, clock).attempt.deadline == attempt.deadline
    clock.current = attempt.deadline
    assert quizzes.seconds_left(attempt, clock()) == 0
    clock.advance(seconds=10)
    assert quizzes.seconds_left(attempt, clock()) == 0  # never negative
    assert not quizzes.is_expired(attempt, clock())
    finish(db, attempt, clock, {})
    assert quizzes.seconds_left(attempt, clock()) is None  # finished

    untimed = make_quiz(db, clock)
    free = start(db, untimed, clock, context="untimed").attempt
    assert free.deadline is None
    assert quizzes.seconds_left(free, clock()) is None
    clock.advance(days=30)
    assert not quizzes.is_expired(free, clock())
    save(db, free, clock, {})


def test_saving_works_until_the_deadline_plus_grace_and_not_after(db, clock):
    assert timedelta(seconds=30) == DEFAULT_GRACE
    quiz = make_quiz(db, clock, time_limit_minutes=10)
    attempt = start(db, quiz, clock).attempt
    q1, q2, q3 = (str(item["question_id"]) for item in attempt.layout)
    clock.advance(minutes=9)
    save(db, attempt, clock, {q1: ["true"]})
    clock.current = attempt.deadline + timedelta(seconds=10)  # within the grace
    save(db, attempt, clock, {q1: ["true"], q2: ["false"]})
    clock.current = attempt.deadline + DEFAULT_GRACE  # the last moment
    save(db, attempt, clock, {q1: ["true"], q2: ["true"]})
    assert attempt.saved_at == attempt.deadline + DEFAULT_GRACE
    clock.current = attempt.deadline + DEFAULT_GRACE + timedelta(microseconds=1)
    with pytest.raises(AttemptExpired):
        save(db, attempt, clock, {q1: ["true"], q2: ["true"], q3: ["true"]})
    assert attempt.responses == {q1: ["true"], q2: ["true"]}
    assert attempt.saved_at == attempt.deadline + DEFAULT_GRACE
    assert attempt.state == "open"
    # A longer grace, as the caller may configure it, takes answers a little later.
    quizzes.save_responses(
        db,
        attempt_id=attempt.id,
        user_id=USER,
        responses={q3: ["true"]},
        now=clock(),
        grace=timedelta(minutes=1),
    )
    assert attempt.responses == {q3: ["true"]}


def test_finishing_after_the_grace_grades_the_saved_answers_at_the_deadline(db, clock):
    quiz = make_quiz(db, clock, time_limit_minutes=10, pass_percent=100)
    attempt = start(db, quiz, clock).attempt
    q1, q2, _ = (str(item["question_id"]) for item in attempt.layout)
    clock.advance(minutes=4)
    save(db, attempt, clock, {q1: ["true"], q2: ["false"]})
    clock.current = attempt.deadline + DEFAULT_GRACE + timedelta(seconds=1)
    result = finish(db, attempt, clock)  # every answer right, but too late
    assert (result.newly_graded, result.late) == (True, True)
    assert attempt.state == "graded"
    assert attempt.finish_reason == "timed_out"
    assert attempt.finished_at == attempt.deadline
    assert attempt.responses == {q1: ["true"], q2: ["false"]}
    assert (attempt.score, attempt.max_score, attempt.passed) == (Decimal(1), 3, False)
    again = finish(db, attempt, clock)
    assert (again.newly_graded, again.late) == (False, False)
    assert attempt.score == Decimal(1)


def test_late_answers_naming_unknown_questions_do_not_stop_the_saved_ones_being_graded(db, clock):
    quiz = make_quiz(db, clock, time_limit_minutes=10)
    attempt = start(db, quiz, clock).attempt
    q1 = str(attempt.layout[0]["question_id"])
    save(db, attempt, clock, {q1: ["true"]})
    clock.advance(minutes=11)
    result = finish(db, attempt, clock, {"score": ["100"], "999": ["x"]})
    assert result.late and result.newly_graded
    assert attempt.responses == {q1: ["true"]}
    assert attempt.score == Decimal(1)


def test_finishing_within_the_grace_grades_the_answers_sent(db, clock):
    quiz = make_quiz(db, clock, time_limit_minutes=10)
    attempt = start(db, quiz, clock).attempt
    q1 = str(attempt.layout[0]["question_id"])
    save(db, attempt, clock, {q1: ["false"]})
    clock.current = attempt.deadline + DEFAULT_GRACE
    result = finish(db, attempt, clock)
    assert (result.newly_graded, result.late) == (True, False)
    assert attempt.finish_reason == "submitted"
    assert attempt.finished_at == clock()
    assert attempt.score == Decimal(3)


def test_close_expired_closes_only_expired_attempts_and_only_once(db, clock):
    timed = make_quiz(db, clock, time_limit_minutes=10)
    untimed = make_quiz(db, clock)
    early = start(db, timed, clock, user=1).attempt
    save(db, early, clock, {str(early.layout[0]["question_id"]): ["true"]}, user=1)
    clock.advance(minutes=5)
    later = start(db, timed, clock, user=2).attempt
    free = start(db, untimed, clock, user=3).attempt
    done = start(db, timed, clock, user=4).attempt
    finish(db, done, clock, user=4)
    done_at = done.finished_at

    clock.current = early.deadline + DEFAULT_GRACE
    assert quizzes.close_expired(db, now=clock()) == []  # the grace is not over yet
    clock.advance(seconds=1)
    closed = quizzes.close_expired(db, now=clock())
    assert [c.attempt.id for c in closed] == [early.id]
    assert all(c.newly_graded and c.late for c in closed)
    assert early.state == "graded"
    assert early.finish_reason == "timed_out"
    assert early.finished_at == early.deadline
    assert early.score == Decimal(1)
    assert later.state == free.state == "open"
    assert done.finished_at == done_at
    assert quizzes.close_expired(db, now=clock()) == []  # only once

    clock.current = later.deadline + timedelta(hours=1)
    # Restricted to one person and context, the sweep leaves the others alone.
    assert quizzes.close_expired(db, now=clock(), user_id=1) == []
    assert quizzes.close_expired(db, now=clock(), user_id=2, context="other") == []
    closed = quizzes.close_expired(db, now=clock(), user_id=2, context=CONTEXT)
    assert [c.attempt.id for c in closed] == [later.id]
    assert later.finished_at == later.deadline
    assert later.score == Decimal(0)
    assert free.state == "open"
    assert quizzes.close_expired(db, now=clock() + timedelta(days=365)) == []


def test_starting_again_after_the_deadline_closes_the_old_attempt_first(db, clock):
    quiz = make_quiz(db, clock, time_limit_minutes=10, cooldown_minutes=5)
    attempt = start(db, quiz, clock).attempt
    clock.current = attempt.deadline + DEFAULT_GRACE  # still within the grace: resumed
    assert start(db, quiz, clock).resumed is True
    clock.current = attempt.deadline + timedelta(minutes=5)
    # Closed at its deadline, the attempt's cooldown runs from the deadline too.
    result = start(db, quiz, clock)
    assert [c.attempt.id for c in result.closed] == [attempt.id]
    assert result.closed[0].newly_graded and result.closed[0].late
    assert result.resumed is False
    assert result.attempt.id != attempt.id
    assert attempt.finish_reason == "timed_out"


# Answers --------------------------------------------------------------------------------------


def test_autosave_replaces_the_saved_answers(db, clock):
    quiz = make_quiz(db, clock)
    attempt = start(db, quiz, clock).attempt
    q1, q2, q3 = (str(item["question_id"]) for item in attempt.layout)
    save(db, attempt, clock, {q1: ["true"], q2: ["false"]})
    assert attempt.responses == {q1: ["true"], q2: ["false"]}
    assert attempt.saved_at == clock()
    clock.advance(seconds=20)
    save(db, attempt, clock, {q3: ["true"], q1: []})
    assert attempt.responses == {q3: ["true"]}  # replaced, not merged; blank is unanswered
    assert attempt.saved_at == clock()
    presented = {p.id: p.saved for p in quizzes.presented_questions(db, attempt)}
    assert presented == {int(q1): [], int(q2): [], int(q3): ["true"]}
    assert attempt.state == "open"
    assert attempt.score is None


@pytest.mark.parametrize(
    "bad",
    [
        {"score": ["100"]},
        {"passed": ["true"]},
        {"999999": ["true"]},
        {"-1": ["true"]},
        {"QID": ["true"]},  # replaced by the id of a question of the quiz outside the draw
        {"Q1": ["maybe"]},  # replaced by the first drawn question's id: not one of its choices
        {"Q1": ["true", "false"]},
    ],
)
def test_answers_outside_the_attempt_are_refused_and_nothing_is_saved(db, clock, bad):
    quiz = make_quiz(db, clock, pooled_questions(), draw_rules=[{"pool": "B", "count": 2}])
    attempt = start(db, quiz, clock, rng=random.Random(5)).attempt
    drawn = [str(item["question_id"]) for item in attempt.layout]
    undrawn = next(str(q.id) for q in quiz.questions if str(q.id) not in drawn)
    bad = {{"QID": undrawn, "Q1": drawn[0]}.get(key, key): values for key, values in bad.items()}
    save(db, attempt, clock, {drawn[1]: ["true"]})
    saved_at = attempt.saved_at
    clock.advance(minutes=1)
    with pytest.raises(InvalidResponse, match="Your answers could not be read"):
        save(db, attempt, clock, {drawn[0]: ["true"], **bad})
    assert attempt.responses == {drawn[1]: ["true"]}
    assert attempt.saved_at == saved_at
    with pytest.raises(InvalidResponse):
        finish(db, attempt, clock, {drawn[0]: ["true"], drawn[1]: ["true"], **bad})
    assert attempt.state == "open"
    assert attempt.score is None
    assert attempt.responses == {drawn[1]: ["true"]}
    # The same answers without the bad part are taken.
    assert finish(db, attempt, clock, {drawn[0]: ["true"], drawn[1]: ["true"]}).newly_graded
    assert attempt.score == attempt.max_score


def test_a_graded_attempt_takes_no_more_answers(db, clock):
    quiz = make_quiz(db, clock)
    attempt = start(db, quiz, clock).attempt
    result = finish(db, attempt, clock, answers(db, attempt, right=1))
    assert result.newly_graded
    graded = (attempt.score, attempt.responses, attempt.finished_at)
    clock.advance(seconds=5)
    with pytest.raises(AttemptClosed):
        save(db, attempt, clock, answers(db, attempt))
    second = finish(db, attempt, clock)
    assert second.newly_graded is False
    assert (attempt.score, attempt.responses, attempt.finished_at) == graded


def test_someone_elses_attempt_is_not_found(db, clock):
    quiz = make_quiz(db, clock)
    attempt = start(db, quiz, clock).attempt
    for call in (save, finish):
        with pytest.raises(AttemptError, match="no such attempt"):
            call(db, attempt, clock, {}, user=USER + 1)
    with pytest.raises(AttemptError):
        quizzes.get_attempt(db, 2**40, USER)
    assert attempt.state == "open"


def test_a_stale_second_session_cannot_grade_or_answer_a_graded_attempt(db, clock):
    """Two requests at once: the one that read the attempt while it was open but writes
    second gets the graded attempt back (or AttemptClosed), and the winner's answers stand."""
    quiz = make_quiz(db, clock)
    first = start(db, quiz, clock).attempt
    second = start(db, quiz, clock, user=USER + 1).attempt
    db.commit()
    first_id, second_id = first.id, second.id  # read now: after a commit, reading them writes
    # The stale session reads outside a transaction (on SQLite one would hold the write lock).
    with Session(db.get_bind().execution_options(lms_sqlite_begin="STATEMENT")) as other:
        stale_first = quizzes.get_attempt(other, first_id, USER)
        stale_second = quizzes.get_attempt(other, second_id, USER + 1)
        assert stale_first.state == stale_second.state == "open"
        assert finish(db, first, clock).newly_graded
        assert finish(db, second, clock, answers(db, second, right=1), user=USER + 1).newly_graded
        db.commit()
        lost = quizzes.finish_attempt(
            other, attempt_id=first_id, user_id=USER, responses={}, now=clock()
        )
        assert lost.newly_graded is False
        assert (lost.attempt.state, lost.attempt.score) == ("graded", Decimal(3))
        with pytest.raises(AttemptClosed):
            quizzes.save_responses(
                other, attempt_id=second_id, user_id=USER + 1, responses={}, now=clock()
            )
        other.commit()
    db.expire_all()
    assert (first.score, first.responses) == (Decimal(3), answers(db, first))
    assert (second.score, second.responses) == (Decimal(1), answers(db, second, right=1))


# Review ---------------------------------------------------------------------------------------


def review_quiz(db: Session, clock, **settings) -> Quiz:
    questions = [
        {
            "type": "single",
            "prompt": "Which category is sewage?",
            "explanation": "Sewage is always category 3.",
            "points": 2,
            "choices": [
                {"text": "Category 3", "correct": True, "feedback": "Yes."},
                {"text": "Category 1", "feedback": "No: that is clean water."},
            ],
        },
        {
            "type": "multiple",
            "prompt": "Which are drying tools?",
            "scoring": "partial",
            "explanation": "Both move moisture.",
            "points": 2,
            "choices": [
                {"text": "Dehumidifier", "correct": True, "feedback": "Right."},
                {"text": "Air mover", "correct": True},
                {"text": "Mop", "feedback": "Not a drying tool."},
            ],
        },
        {
            "type": "short",
            "prompt": "RH stands for?",
            "answers": [{"text": "relative humidity", "feedback": "Well done."}],
        },
        {"type": "numeric", "prompt": "How many classes?", "answers": [{"value": 4}]},
    ]
    return make_quiz(db, clock, questions, pass_percent=50, **settings)


def review_answers(db: Session, attempt: Attempt) -> dict[str, list[str]]:
    by_prompt = {q.prompt: q for q in questions_of(db, attempt)}
    single = by_prompt["Which category is sewage?"]
    multiple = by_prompt["Which are drying tools?"]
    texts = {c["text"]: c["id"] for c in multiple.config["choices"]}
    return {
        str(single.id): [single.config["choices"][0]["id"]],
        str(multiple.id): [texts["Dehumidifier"], texts["Mop"]],
        str(by_prompt["RH stands for?"].id): ["humidity"],
    }


def test_review_at_each_level_shows_exactly_what_it_should(db, clock):
    quiz = review_quiz(db, clock, review_shows="answers")
    attempt = start(db, quiz, clock, rng=random.Random(0)).attempt
    responses = review_answers(db, attempt)
    assert quizzes.review_attempt(db, attempt, "answers") == []  # open: nothing yet
    finish(db, attempt, clock, responses)
    assert (attempt.score, attempt.max_score, attempt.passed) == (Decimal(2), 6, False)

    assert quizzes.review_attempt(db, attempt, "score") == []

    wrong = {r.prompt: r for r in quizzes.review_attempt(db, attempt, "wrong")}
    assert [r.number for r in sorted(wrong.values(), key=lambda r: r.number)] == [1, 2, 3, 4]
    assert {p: r.status for p, r in wrong.items()} == {
        "Which category is sewage?": "correct",
        "Which are drying tools?": "wrong",  # one right pick cancelled by one wrong one
        "RH stands for?": "wrong",
        "How many classes?": "unanswered",
    }
    assert {p: r.earned for p, r in wrong.items()} == {
        "Which category is sewage?": 2,
        "Which are drying tools?": 0,
        "RH stands for?": 0,
        "How many classes?": 0,
    }
    assert wrong["Which are drying tools?"].given == ["Dehumidifier", "Mop"]
    assert wrong["RH stands for?"].given == ["humidity"]
    assert wrong["How many classes?"].given == []
    for reviewed in wrong.values():
        assert reviewed.correct == []
        assert reviewed.feedback == []
        assert reviewed.explanation == ""

    shown = {r.prompt: r for r in quizzes.review_attempt(db, attempt, "answers")}
    assert [(r.status, r.earned, r.given) for r in shown.values()] == [
        (r.status, r.earned, r.given) for r in wrong.values()
    ]
    sewage = shown["Which category is sewage?"]
    assert (sewage.correct, sewage.feedback) == (["Category 3"], ["Yes."])
    assert sewage.explanation == "Sewage is always category 3."
    drying = shown["Which are drying tools?"]
    assert drying.correct == ["Dehumidifier", "Air mover"]
    # Wrong as a whole: the right pick's "Right." would contradict it; the wrong pick's stays.
    assert drying.feedback == ["Not a drying tool."]
    assert drying.explanation == "Both move moisture."
    assert shown["RH stands for?"].correct == ["relative humidity"]
    assert shown["RH stands for?"].feedback == []  # feedback belongs to the answer given
    assert shown["How many classes?"].correct == ["4"]


def test_review_marks_partial_credit_as_partial(db, clock):
    quiz = review_quiz(db, clock)
    attempt = start(db, quiz, clock).attempt
    multiple = next(q for q in questions_of(db, attempt) if q.qtype == "multiple")
    finish(db, attempt, clock, {str(multiple.id): [multiple.config["choices"][0]["id"]]})
    reviewed = next(
        r for r in quizzes.review_attempt(db, attempt, "wrong") if r.points == 2 and r.given
    )
    assert (reviewed.status, reviewed.earned) == ("partial", Decimal(1))
    assert attempt.score == Decimal(1)


@pytest.mark.parametrize("shows", ["score", "wrong", "answers"])
@pytest.mark.parametrize(
    ("when", "history", "expected"),
    [
        # history: the attempts in the context, oldest first: F failed, P passed, O open.
        ("immediately", "", "shows"),
        ("immediately", "F", "shows"),
        ("immediately", "FO", "score"),  # a second tab must not show answers mid-attempt
        ("after_pass", "F", "score"),
        ("after_pass", "FF", "score"),
        ("after_pass", "FO", "score"),
        ("after_pass", "FP", "shows"),
        ("after_last_attempt", "F", "score"),
        ("after_last_attempt", "FF", "score"),
        ("after_last_attempt", "FFO", "score"),
        ("after_last_attempt", "FFF", "shows"),  # max_attempts (3) reached
        ("after_last_attempt", "P", "shows"),  # passed: no further attempt is possible
    ],
)
def test_review_level_for_each_policy_and_situation(db, clock, shows, when, history, expected):
    quiz = make_quiz(
        db, clock, review_shows=shows, review_when=when, max_attempts=3, pass_percent=100
    )
    for kind in history:
        attempt = start(db, quiz, clock).attempt
        if kind != "O":
            finish(db, attempt, clock, answers(db, attempt, right=3 if kind == "P" else 1))
            assert attempt.passed is (kind == "P")
        clock.advance(minutes=1)
    attempts = quizzes.attempts_in(db, user_id=USER, context=CONTEXT)
    assert len(attempts) == len(history)
    assert quizzes.review_level(quiz, attempts) == (shows if expected == "shows" else expected)


def test_after_last_attempt_with_unlimited_attempts_opens_only_on_a_pass(db, clock):
    quiz = make_quiz(db, clock, review_shows="answers", review_when="after_last_attempt")
    for _ in range(5):
        attempt = start(db, quiz, clock).attempt
        finish(db, attempt, clock, {})
    attempts = quizzes.attempts_in(db, user_id=USER, context=CONTEXT)
    assert quizzes.review_level(quiz, attempts) == "score"
    attempt = start(db, quiz, clock).attempt
    finish(db, attempt, clock)
    assert quizzes.review_level(quiz, [*attempts, attempt]) == "answers"


def test_a_timed_out_attempt_is_reviewed_like_a_submitted_one(db, clock):
    quiz = review_quiz(db, clock, time_limit_minutes=5, review_shows="wrong")
    attempt = start(db, quiz, clock).attempt
    responses = review_answers(db, attempt)
    save(db, attempt, clock, responses)
    clock.advance(minutes=6)
    assert quizzes.review_level(quiz, [attempt]) == "score"  # still open until closed
    closed = quizzes.close_expired(db, now=clock())
    assert [c.attempt.id for c in closed] == [attempt.id]
    assert quizzes.review_level(quiz, [attempt]) == "wrong"
    statuses = sorted(r.status for r in quizzes.review_attempt(db, attempt, "wrong"))
    assert statuses == ["correct", "unanswered", "wrong", "wrong"]
