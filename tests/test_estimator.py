"""The credit estimator's arithmetic, with cases computed by hand:
(words / 180 + media minutes + questions x 1.85) / minutes per credit, floored to the step."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lms.studio.estimator import (
    count_words,
    course_content,
    estimate,
    floor_to_step,
    questions_drawn,
    study_minutes,
)


def test_the_worked_example_under_each_regime():
    # 1800 words = 10 min, 10 media min, 10 questions = 18.5 min: 38.5 min in all.
    assert study_minutes(1800, 10, 10) == Decimal("38.5")
    # 38.5 / 60 = 0.6416...: floored to 0.5 in steps of 0.5 and of 0.25 alike.
    assert estimate(1800, 10, 10, 60, Decimal("0.5")) == Decimal("0.5")
    assert estimate(1800, 10, 10, 60, Decimal("0.25")) == Decimal("0.5")
    # In steps of 0.1: 0.6; in whole credits: 0.
    assert estimate(1800, 10, 10, 60, Decimal("0.1")) == Decimal("0.6")
    assert estimate(1800, 10, 10, 60, Decimal("1")) == 0
    # The older 7-hour rule: 38.5 / 420 = 0.09..., nothing.
    assert estimate(1800, 10, 10, 420, Decimal("0.5")) == 0
    # NASBA: 38.5 / 50 = 0.77 -> 0.5.
    assert estimate(1800, 10, 10, 50, Decimal("0.5")) == Decimal("0.5")


def test_exact_boundaries_are_reached_not_missed():
    # 10 800 words are exactly 60 minutes: exactly one credit, not 0.999...
    assert study_minutes(10_800, 0, 0) == 60
    assert estimate(10_800, 0, 0, 60, Decimal("1")) == 1
    # One word fewer is just below the boundary.
    assert estimate(10_799, 0, 0, 60, Decimal("1")) == 0
    # 20 questions = 37 min, + 23 media min = 60 min exactly.
    assert estimate(0, 23, 20, 60, Decimal("0.5")) == 1
    assert estimate(0, 22, 20, 60, Decimal("0.5")) == Decimal("0.5")
    # 30 min of 60 is exactly half a credit in steps of 0.5; 29 minutes is not.
    assert estimate(0, 30, 0, 60, Decimal("0.5")) == Decimal("0.5")
    assert estimate(0, 29, 0, 60, Decimal("0.5")) == 0
    # 420-minute credit: 7 hours of media is 1, 14 hours is 2.
    assert estimate(0, 420, 0, 420, Decimal("0.5")) == 1
    assert estimate(0, 840, 0, 420, Decimal("1")) == 2


def test_a_question_is_one_point_eight_five_minutes():
    assert study_minutes(0, 0, 1) == Decimal("1.85")
    assert study_minutes(0, 0, 100) == Decimal("185")
    # 2410 words, 12 media min, 10 questions: 13.3888... + 12 + 18.5 = 43.888... min.
    minutes = study_minutes(2410, 12, 10)
    assert Decimal("43.888") < minutes < Decimal("43.889")
    assert estimate(2410, 12, 10, 60, Decimal("0.5")) == Decimal("0.5")
    assert estimate(2410, 12, 10, 60, Decimal("0.25")) == Decimal("0.5")
    assert estimate(2410, 12, 10, 50, Decimal("0.25")) == Decimal("0.75")


def test_nothing_to_study_earns_nothing():
    assert estimate(0, 0, 0, 60, Decimal("0.5")) == 0


def test_floor_to_step():
    assert floor_to_step(Decimal("0.64"), Decimal("0.5")) == Decimal("0.5")
    assert floor_to_step(Decimal("1.0"), Decimal("0.5")) == 1
    assert floor_to_step(Decimal("0.99"), Decimal("0.25")) == Decimal("0.75")


@pytest.mark.parametrize(
    ("minutes_per_credit", "step"), [(0, "0.5"), (-60, "0.5"), (60, "0"), (60, "-0.5")]
)
def test_impossible_regimes_are_refused(minutes_per_credit, step):
    with pytest.raises(ValueError):
        estimate(100, 1, 1, minutes_per_credit, Decimal(step))


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        estimate(-1, 0, 0, 60, Decimal("0.5"))


def test_words_are_counted_without_markup():
    text = (
        "# Drying *wet* carpet\n\n"
        "Use **two** fans. See [the guide](https://example.org/a-very/long/path) - now!\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "---\n\n> quoted words here\n\n```\ncode line\n```\n<https://example.org/x>"
    )
    # Drying wet carpet (3) Use two fans See the guide now (7) a b 1 2 (4)
    # quoted words here (3) code line (2): 19; the link's address and markup count for nothing.
    assert count_words(text) == 19
    assert count_words("") == 0
    assert count_words("   \n\n  ***  ---  ") == 0
    assert count_words(" ".join(["word"] * 180)) == 180


def test_course_content_totals_modules_and_questions():
    content = course_content(["one two three", "four five"], [10, 2], questions=4)
    assert (content.words, content.media_minutes, content.questions) == (5, 12, 4)
    assert content.minutes == Decimal(5) / 180 + 12 + Decimal("7.4")


def test_questions_an_attempt_draws():
    bank = [("A", [])] * 6 + [("B", ["hard"])] * 3 + [("B", [])] * 4
    assert questions_drawn(bank, []) == 13  # no draw rules: every question
    assert questions_drawn(bank, [{"pool": "A", "count": 2, "tag": None}]) == 2
    rules = [
        {"pool": "A", "count": 3, "tag": None},
        {"pool": "B", "count": None, "tag": None},  # every B left after the tagged rule
        {"pool": "B", "count": 2, "tag": "hard"},
    ]
    assert questions_drawn(bank, rules) == 3 + 2 + 5
