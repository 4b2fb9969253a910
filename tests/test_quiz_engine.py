"""The quiz engine's pure parts: every question type's definition, reading, grading and
review, and the grade of a whole attempt; tested without an app."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzes.grading import GradedQuestion, grade
from quizzes.types import QUESTION_TYPES, DefinitionError, ResponseError


def build(qtype: str, **spec):
    return QUESTION_TYPES[qtype].build_config(spec)


def score(qtype: str, config, response) -> Decimal:
    return QUESTION_TYPES[qtype].grade(config, response)


SINGLE = build(
    "single",
    choices=[
        {"id": "a", "text": "A", "correct": True, "feedback": "Yes"},
        {"id": "b", "text": "B", "weight": 50},
        {"id": "c", "text": "C", "weight": -100},
    ],
)
MULTI = build(
    "multiple",
    choices=[
        {"id": "a", "text": "A", "correct": True},
        {"id": "b", "text": "B", "correct": True},
        {"id": "c", "text": "C"},
    ],
)
PARTIAL = build(
    "multiple",
    scoring="partial",
    penalty=50,
    choices=[
        {"id": "a", "text": "A", "correct": True},
        {"id": "b", "text": "B", "correct": True},
        {"id": "c", "text": "C", "correct": True},
        {"id": "d", "text": "D"},
        {"id": "e", "text": "E"},
    ],
)
TF = build("truefalse", answer=False, feedback_true="No: it is false.")
SHORT = build(
    "short",
    answers=[
        {"text": "relative humidity", "feedback": "Right"},
        {"text": "RH", "weight": 50, "feedback": "Spell it out"},
    ],
)
SHORT_STRICT = build(
    "short", answers=[{"text": "Class  3"}], case_sensitive=True, whitespace="exact"
)
NUMERIC = build(
    "numeric",
    answers=[
        {"value": "3.5", "tolerance": "0.25"},
        {"min": 10, "max": 20, "weight": 50},
    ],
)
MATCHING = build(
    "matching",
    pairs=[
        {"left": "Category 1", "right": "Clean water"},
        {"left": "Category 2", "right": "Grey water"},
        {"left": "Category 3", "right": "Black water"},
        {"left": "Sewage", "right": "Black water"},
    ],
    distractors=["Brown water"],
)
ORDER = build("ordering", items=["Inspect", "Extract", "Dry", "Verify"])
ORDER_PARTIAL = build("ordering", items=["Inspect", "Extract", "Dry", "Verify"], scoring="partial")


def _pairs(config, *lefts_to_rights):
    items = {i["text"]: i["id"] for i in config["items"]}
    options = {o["text"]: o["id"] for o in config["options"]}
    return [f"{items[left]}:{options[right]}" for left, right in lefts_to_rights]


def _order(config, *texts):
    ids = {i["text"]: i["id"] for i in config["items"]}
    return [ids[t] for t in texts]


@pytest.mark.parametrize(
    ("qtype", "config", "response", "expected"),
    [
        ("single", SINGLE, ["a"], "1"),
        ("single", SINGLE, ["b"], "0.5"),  # GIFT's ~%50%: partial credit for a near miss
        ("single", SINGLE, ["c"], "0"),  # a negative weight never takes points below zero
        ("single", SINGLE, [], "0"),
        ("multiple", MULTI, ["a", "b"], "1"),
        ("multiple", MULTI, ["b", "a"], "1"),
        ("multiple", MULTI, ["a"], "0"),  # all-or-nothing
        ("multiple", MULTI, ["a", "b", "c"], "0"),
        ("multiple", PARTIAL, ["a", "b", "c"], "1"),
        ("multiple", PARTIAL, ["a", "b"], "0.6667"),
        ("multiple", PARTIAL, ["a", "b", "c", "d"], "0.8333"),
        ("multiple", PARTIAL, ["a", "d", "e"], "0"),  # 1/3 - 2 x 1/6 = 0
        ("multiple", PARTIAL, ["d", "e"], "0"),  # floored at zero, never negative
        ("multiple", PARTIAL, ["a", "b", "c", "d", "e"], "0.6667"),
        ("truefalse", TF, ["false"], "1"),
        ("truefalse", TF, ["true"], "0"),
        ("short", SHORT, ["relative humidity"], "1"),
        ("short", SHORT, ["  Relative   HUMIDITY "], "1"),  # case and spaces forgiven
        ("short", SHORT, ["rh"], "0.5"),
        ("short", SHORT, ["humidity"], "0"),
        ("short", SHORT_STRICT, ["Class  3"], "1"),
        ("short", SHORT_STRICT, ["class  3"], "0"),
        ("short", SHORT_STRICT, ["Class 3"], "0"),
        ("numeric", NUMERIC, ["3.5"], "1"),
        ("numeric", NUMERIC, ["3.75"], "1"),  # the tolerance is inclusive
        ("numeric", NUMERIC, ["3.76"], "0"),
        ("numeric", NUMERIC, ["3,3"], "1"),  # a decimal comma
        ("numeric", NUMERIC, ["10"], "0.5"),
        ("numeric", NUMERIC, ["20.0"], "0.5"),
        ("numeric", NUMERIC, ["20.01"], "0"),
        ("matching", MATCHING, None, "1"),
        ("ordering", ORDER, None, "1"),
    ],
)
def test_each_type_grades_its_answers(qtype, config, response, expected):
    if response is None:
        response = QUESTION_TYPES[qtype].correct_response(config)
    assert score(qtype, config, response) == Decimal(expected)


def test_matching_gives_a_share_per_correct_pair_and_offers_shared_answers_once():
    assert [o["text"] for o in MATCHING["options"]] == [
        "Clean water",
        "Grey water",
        "Black water",
        "Brown water",
    ]
    three_right = _pairs(
        MATCHING,
        ("Category 1", "Clean water"),
        ("Category 2", "Brown water"),
        ("Category 3", "Black water"),
        ("Sewage", "Black water"),
    )
    assert score("matching", MATCHING, three_right) == Decimal("0.75")
    assert score("matching", MATCHING, three_right[:1]) == Decimal("0.25")
    assert score("matching", MATCHING, []) == 0


def test_ordering_all_or_nothing_or_by_place():
    assert score("ordering", ORDER, _order(ORDER, "Inspect", "Dry", "Extract", "Verify")) == 0
    swapped = _order(ORDER_PARTIAL, "Inspect", "Dry", "Extract", "Verify")
    assert score("ordering", ORDER_PARTIAL, swapped) == Decimal("0.5")
    assert (
        score(
            "ordering",
            ORDER_PARTIAL,
            list(reversed(_order(ORDER_PARTIAL, "Inspect", "Extract", "Dry", "Verify"))),
        )
        == 0
    )


@pytest.mark.parametrize(
    ("qtype", "config", "values", "message"),
    [
        ("single", SINGLE, ["a", "b"], "only one"),
        ("single", SINGLE, ["z"], "not one of its choices"),
        ("multiple", MULTI, ["a", "a"], "not one of its choices"),
        ("short", SHORT, ["a", "b"], "only one"),
        ("short", SHORT, ["x" * 1001], "longer than"),
        ("numeric", NUMERIC, ["three"], "must be a number"),
        ("numeric", NUMERIC, ["1e5"], "must be a number"),
        ("numeric", NUMERIC, ["NaN"], "must be a number"),
        ("matching", MATCHING, ["nope:nope"], "not one of its choices"),
        ("ordering", ORDER, ["x", "y", "z", "w"], "not one of its choices"),
        ("ordering", ORDER, ["x"], "not one of its choices"),
    ],
)
def test_unreadable_answers_are_refused_with_a_reason(qtype, config, values, message):
    with pytest.raises(ResponseError, match=message):
        QUESTION_TYPES[qtype].read(config, values)


def test_reading_normalises_and_blank_means_unanswered():
    assert QUESTION_TYPES["numeric"].read(NUMERIC, [" 3,50 "]) == ["3.50"]
    assert QUESTION_TYPES["numeric"].read(NUMERIC, [""]) == []
    assert QUESTION_TYPES["short"].read(SHORT, ["   "]) == []
    item = MATCHING["items"][0]["id"]
    assert QUESTION_TYPES["matching"].read(MATCHING, [f"{item}:"]) == []
    assert QUESTION_TYPES["ordering"].read(ORDER, ["", "", "", ""]) == []
    first, second = (i["id"] for i in ORDER["items"][:2])
    half_done = [first, "", first, second]  # kept as it is: autosave never loses work
    assert QUESTION_TYPES["ordering"].read(ORDER, half_done) == half_done
    assert score("ordering", ORDER, half_done) == 0
    assert score(
        "ordering", ORDER_PARTIAL, _order(ORDER_PARTIAL, "Inspect", "Inspect", "Dry", "Dry")
    ) == Decimal("0.5")


ALL = [
    ("single", SINGLE),
    ("multiple", MULTI),
    ("multiple", PARTIAL),
    ("truefalse", TF),
    ("short", SHORT),
    ("numeric", NUMERIC),
    ("matching", MATCHING),
    ("ordering", ORDER),
]


@pytest.mark.parametrize(("qtype", "config"), ALL)
def test_what_a_learner_sees_carries_no_key_and_no_feedback(qtype, config):
    kind = QUESTION_TYPES[qtype]
    shown = kind.present(config, kind.layout(config, random.Random(3)))
    text = repr(shown)
    for marker in ("correct", "weight", "feedback", "answer", "Yes", "Spell it out", "tolerance"):
        assert marker not in text
    for choice in shown.get("choices", []):
        assert set(choice) == {"id", "text"}


@pytest.mark.parametrize(("qtype", "config"), ALL)
def test_a_definition_survives_spec_of_and_build_again(qtype, config):
    kind = QUESTION_TYPES[qtype]
    spec = kind.spec_of(config)
    assert kind.spec_of(kind.build_config(spec)) == spec


def test_the_ordering_layout_never_shows_the_answer_order():
    right = [i["id"] for i in ORDER["items"]]
    for seed in range(200):
        assert QUESTION_TYPES["ordering"].layout(ORDER, random.Random(seed))["choices"] != right


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
        ("single", {"choices": [{"text": "A", "weight": 150}, {"text": "B"}]}, "from -100"),
        ("multiple", {"choices": [{"text": "A"}, {"text": "B"}]}, "at least one correct"),
        ("multiple", {"scoring": "most", "choices": [{"text": "A"}]}, "scoring"),
        ("single", {"choices": [{"text": " ", "correct": True}, {"text": "B"}]}, "cannot be empty"),
        ("truefalse", {"answer": "yes"}, "true or false"),
        ("short", {"answers": []}, "at least one"),
        ("short", {"answers": [{"text": "x", "weight": 50}]}, "worth 100"),
        ("numeric", {"answers": [{"value": "abc"}]}, "must be a number"),
        ("numeric", {"answers": [{"min": 5, "max": 1}]}, "cannot exceed"),
        ("numeric", {"answers": [{"value": 1, "tolerance": -1}]}, "cannot be negative"),
        ("matching", {"pairs": [{"left": "a", "right": "b"}]}, "at least two"),
        (
            "matching",
            {"pairs": [{"left": "a", "right": "b"}, {"left": "a", "right": "c"}]},
            "differ",
        ),
        ("ordering", {"items": ["one"]}, "at least two"),
        ("ordering", {"items": ["one", "one"]}, "differ"),
    ],
)
def test_bad_definitions_are_refused(qtype, spec, message):
    with pytest.raises(DefinitionError, match=message):
        QUESTION_TYPES[qtype].build_config(spec)


def test_review_details_name_the_given_and_the_correct_answers():
    detail = QUESTION_TYPES["single"].review(SINGLE, ["a"])
    assert (detail.given, detail.correct, detail.feedback) == (["A"], ["A"], ["Yes"])
    detail = QUESTION_TYPES["short"].review(SHORT, ["rh"])
    assert detail.correct == ["relative humidity"] and detail.feedback == ["Spell it out"]
    detail = QUESTION_TYPES["numeric"].review(NUMERIC, ["3.5"])
    assert detail.correct == ["3.5 ± 0.25"]
    detail = QUESTION_TYPES["truefalse"].review(TF, ["true"])
    assert detail.feedback == ["No: it is false."]


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


def test_three_thirds_make_full_marks_in_the_stored_precision():
    third = GradedQuestion("multiple", 1, PARTIAL, ["a"])
    result = grade([third, GradedQuestion("multiple", 2, PARTIAL, ["a", "b"])], 100)
    assert result.score == Decimal("1.6667")
    whole = grade([GradedQuestion("multiple", 3, PARTIAL, ["a", "b", "c"])], 100)
    assert whole.score == Decimal("3.0000") and whole.passed


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


@given(picks=st.sets(st.sampled_from("abcde")))
def test_partial_credit_stays_between_zero_and_one(picks):
    earned = score("multiple", PARTIAL, sorted(picks))
    assert Decimal(0) <= earned <= Decimal(1)
    # Adding a wrong pick never raises the score.
    if "d" not in picks:
        assert score("multiple", PARTIAL, sorted(picks | {"d"})) <= earned


def test_long_numbers_are_kept_and_compared_exactly():
    long = "123456789012345678901234567890123456789"
    config = build("numeric", answers=[{"value": long, "tolerance": "1"}])
    assert config["answers"][0]["value"] == long
    assert score("numeric", config, [long]) == 1
    assert score("numeric", config, [str(int(long) + 2)]) == 0
    tiny = build("numeric", answers=[{"value": "1.00000000000000000000000000000001"}])
    assert score("numeric", tiny, ["1"]) == 0
    with pytest.raises(DefinitionError, match="more than 40 digits"):
        build("numeric", answers=[{"value": "1" * 41}])
