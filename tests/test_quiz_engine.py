"""The quiz engine's pure parts: question types and grading, tested without an app."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzes.grading import GradedQuestion, grade
from quizzes.types import QUESTION_TYPES, DefinitionError

SINGLE = QUESTION_TYPES["single"].build_config(
    {
        "choices": [
            {"id": "a", "text": "A", "correct": True},
            {"id": "b", "text": "B"},
            {"id": "c", "text": "C"},
        ]
    }
)
MULTI = QUESTION_TYPES["multiple"].build_config(
    {
        "choices": [
            {"id": "a", "text": "A", "correct": True},
            {"id": "b", "text": "B", "correct": True},
            {"id": "c", "text": "C"},
        ]
    }
)
TF = QUESTION_TYPES["truefalse"].build_config({"answer": False})


@pytest.mark.parametrize(
    ("qtype", "config", "response", "expected"),
    [
        ("single", SINGLE, ["a"], 1),
        ("single", SINGLE, ["b"], 0),
        ("single", SINGLE, [], 0),
        ("multiple", MULTI, ["a", "b"], 1),
        ("multiple", MULTI, ["b", "a"], 1),
        ("multiple", MULTI, ["a"], 0),
        ("multiple", MULTI, ["a", "b", "c"], 0),
        ("truefalse", TF, ["false"], 1),
        ("truefalse", TF, ["true"], 0),
    ],
)
def test_each_type_grades_its_answers(qtype, config, response, expected):
    assert QUESTION_TYPES[qtype].grade(config, response) == expected


def test_the_learner_view_of_a_question_carries_no_answer_key():
    for qtype, config in (("single", SINGLE), ("multiple", MULTI), ("truefalse", TF)):
        for choice in QUESTION_TYPES[qtype].choices(config):
            assert set(choice) == {"id", "text"}


@pytest.mark.parametrize(
    ("qtype", "spec", "message"),
    [
        ("single", {"choices": [{"text": "A", "correct": True}]}, "at least two"),
        ("single", {"choices": [{"text": "A"}, {"text": "B"}]}, "exactly one"),
        (
            "single",
            {"choices": [{"text": "A", "correct": True}, {"text": "B", "correct": True}]},
            "exactly one",
        ),
        ("multiple", {"choices": [{"text": "A"}, {"text": "B"}]}, "at least one correct"),
        ("single", {"choices": [{"text": " ", "correct": True}, {"text": "B"}]}, "needs a text"),
        ("truefalse", {"answer": "yes"}, "true or false"),
    ],
)
def test_bad_definitions_are_refused(qtype, spec, message):
    with pytest.raises(DefinitionError, match=message):
        QUESTION_TYPES[qtype].build_config(spec)


def test_responses_must_be_choices_of_the_question():
    single = QUESTION_TYPES["single"]
    assert single.valid_response(SINGLE, ["a"])
    assert single.valid_response(SINGLE, [])
    assert not single.valid_response(SINGLE, ["a", "b"])
    assert not single.valid_response(SINGLE, ["z"])
    assert not QUESTION_TYPES["multiple"].valid_response(MULTI, ["a", "a"])


def test_pass_mark_is_inclusive_and_never_rounds_up():
    def result(earned: int, total: int, pass_percent: int) -> bool:
        questions = [GradedQuestion("truefalse", 1, TF, ["false"])] * earned + [
            GradedQuestion("truefalse", 1, TF, ["true"])
        ] * (total - earned)
        return grade(questions, pass_percent).passed

    assert result(7, 10, 70) is True
    assert result(6, 10, 70) is False
    assert result(2, 3, 67) is False  # 66.67 % is below 67 %
    assert result(2, 3, 66) is True


def test_no_questions_never_passes():
    assert grade([], 0).passed is False


@given(
    points=st.lists(st.integers(min_value=1, max_value=10), min_size=1, max_size=20),
    correct=st.lists(st.booleans(), min_size=20, max_size=20),
    pass_percent=st.integers(min_value=0, max_value=100),
)
def test_score_is_the_sum_of_points_of_correct_answers(points, correct, pass_percent):
    questions = [
        GradedQuestion("truefalse", p, TF, ["false" if ok else "true"])
        for p, ok in zip(points, correct, strict=False)
    ]
    result = grade(questions, pass_percent)
    expected = sum(p for p, ok in zip(points, correct, strict=False) if ok)
    assert result.score == Decimal(expected)
    assert result.max_score == sum(points)
    assert result.passed == (expected * 100 >= pass_percent * sum(points))
    assert Decimal(0) <= result.percent <= Decimal(100)


def test_attempts_freeze_a_shuffled_order_per_attempt(app, clock):
    """Each attempt draws its own order of questions and choices, and keeps it on resume."""
    import random

    from quizzes import create_quiz, open_or_resume_attempt

    questions = [
        {
            "type": "single",
            "prompt": f"Q{n}",
            "choices": [
                {"text": f"right {n}", "correct": True},
                {"text": "b"},
                {"text": "c"},
                {"text": "d"},
            ],
        }
        for n in range(8)
    ]
    with app.app_context():
        db = app.extensions["lms"].db.session
        quiz = create_quiz(db, title="Shuffle", pass_percent=50, questions=questions, now=clock())
        db.flush()
        first = open_or_resume_attempt(
            db, quiz_id=quiz.id, user_id=1, context="a", now=clock(), rng=random.Random(1)
        )
        resumed = open_or_resume_attempt(
            db, quiz_id=quiz.id, user_id=1, context="a", now=clock(), rng=random.Random(2)
        )
        other = open_or_resume_attempt(
            db, quiz_id=quiz.id, user_id=2, context="b", now=clock(), rng=random.Random(2)
        )
        assert resumed.id == first.id and resumed.layout == first.layout
        in_position_order = [q.id for q in quiz.questions]
        orders = [[item["question_id"] for item in a.layout] for a in (first, other)]
        assert sorted(orders[0]) == sorted(in_position_order)
        assert orders[0] != orders[1]
        assert orders[0] != in_position_order
        first_choices = {item["question_id"]: item["choices"] for item in first.layout}
        defined = {q.id: [c["id"] for c in q.config["choices"]] for q in quiz.questions}
        assert any(first_choices[qid] != defined[qid] for qid in defined)
        db.rollback()
