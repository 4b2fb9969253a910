"""Item statistics on small data sets whose answers were worked out by hand (below, in the
comments), never by the code under test."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from quizzes.analysis import (
    correlation,
    flags_for,
    item_fractions,
    item_statistics,
    upper_lower_index,
)
from quizzes.types import QUESTION_TYPES

# Six learners, three one-point items; C is partly credited for L3.
#
#        A    B    C    total
#  L1    1    1    1     3
#  L2    1    1    0     2
#  L3    1    0   0.5   1.5
#  L4    0    1    0     1
#  L5    1    0    0     1
#  L6    0    0    0     0
SCORES = [
    {"A": 1, "B": 1, "C": 1},
    {"A": 1, "B": 1, "C": 0},
    {"A": 1, "B": 0, "C": Decimal("0.5")},
    {"A": 0, "B": 1, "C": 0},
    {"A": 1, "B": 0, "C": 0},
    {"A": 0, "B": 0, "C": 0},
]

# Facility = mean item score:  A 4/6 = 0.6667   B 3/6 = 0.5   C 1.5/6 = 0.25
#
# Discrimination = Pearson r of the item score x with the rest score y (total minus item),
# r = Sxy / sqrt(Sxx * Syy), with Sxy = sum(xy) - n*mx*my, Sxx = sum(x^2) - n*mx^2, ...
#
# A: y = [2, 1, 0.5, 1, 0, 0], mx = 2/3, my = 0.75
#    Sxy = 3.5 - 6*(2/3)*0.75 = 0.5;  Sxx = 4 - 6*(4/9) = 4/3;  Syy = 6.25 - 6*0.5625 = 2.875
#    r = 0.5 / sqrt(4/3 * 2.875) = 0.5 / sqrt(23/6) = 0.255377
# B: y = [2, 1, 1.5, 0, 1, 0], mx = 0.5, my = 11/12
#    Sxy = 3 - 6*0.5*11/12 = 0.25;  Sxx = 1.5;  Syy = 8.25 - 6*(121/144) = 77/24
#    r = 0.25 / sqrt(1.5 * 77/24) = 1 / sqrt(77) = 0.113961
# C: y = [2, 2, 1, 1, 1, 0], mx = 0.25, my = 7/6
#    Sxy = 2.5 - 6*0.25*7/6 = 0.75;  Sxx = 1.25 - 0.375 = 0.875;  Syy = 11 - 6*(49/36) = 17/6
#    r = 0.75 / sqrt(0.875 * 17/6) = 0.75 * sqrt(48/119) = 0.476331
#
# Upper-lower: 27% of 6 = 1.62, so groups of 2. By total: lower = L6 (0), L4 (1; before
# L5 in the given order); upper = L2 (2), L1 (3).
#    A: (1+1)/2 - (0+0)/2 = 1.0   B: (1+1)/2 - (0+1)/2 = 0.5   C: (0+1)/2 - (0+0)/2 = 0.5
#
# Flags (6 responses >= 5): A none; B r = 0.11 < 0.20 -> "does not discriminate"; C none
# (0.25 is not below 0.20).


def test_facility_and_rest_score_point_biserial_match_the_hand_computation():
    stats = item_statistics(SCORES)
    assert list(stats) == ["A", "B", "C"]
    assert {k: s.responses for k, s in stats.items()} == {"A": 6, "B": 6, "C": 6}
    assert stats["A"].facility == pytest.approx(0.666667, abs=1e-6)
    assert stats["B"].facility == pytest.approx(0.5)
    assert stats["C"].facility == pytest.approx(0.25)
    assert stats["A"].discrimination == pytest.approx(0.255377, abs=1e-6)
    assert stats["B"].discrimination == pytest.approx(0.113961, abs=1e-6)
    assert stats["C"].discrimination == pytest.approx(0.476331, abs=1e-6)
    assert stats["A"].upper_lower == pytest.approx(1.0)
    assert stats["B"].upper_lower == pytest.approx(0.5)
    assert stats["C"].upper_lower == pytest.approx(0.5)


def test_only_the_poorly_discriminating_item_is_flagged_with_a_plain_reason():
    stats = item_statistics(SCORES)
    assert stats["A"].flags == () and stats["C"].flags == ()
    assert [(f.kind, f.reason) for f in stats["B"].flags] == [
        ("weak", "does not discriminate: r = 0.11")
    ]
    assert all(s.judged for s in stats.values())


def test_the_rest_score_weights_the_other_items_by_their_points():
    # Items P, Q (1 point each) and R (3 points); five learners.
    #   P = [1, 1, 0, 0, 0], Q = [0, 0, 1, 1, 0], R = [1, 1, 0, 0, 0]
    # For P the rest score is Q + 3R = [3, 3, 1, 1, 0] (unweighted it would be [1, 1, 1, 1, 0]).
    #   mx = 0.4, my = 1.6; Sxy = 6 - 5*0.4*1.6 = 2.8; Sxx = 2 - 0.8 = 1.2;
    #   Syy = 20 - 5*2.56 = 7.2; r = 2.8 / sqrt(8.64) = 0.952579
    # (Unweighted: Sxy = 2 - 5*0.4*0.8 = 0.4, Syy = 4 - 3.2 = 0.8, r = 0.4/sqrt(0.96) = 0.408248.)
    rows = [
        {"P": 1, "Q": 0, "R": 1},
        {"P": 1, "Q": 0, "R": 1},
        {"P": 0, "Q": 1, "R": 0},
        {"P": 0, "Q": 1, "R": 0},
        {"P": 0, "Q": 0, "R": 0},
    ]
    weighted = item_statistics(rows, {"P": 1, "Q": 1, "R": 3})
    assert weighted["P"].discrimination == pytest.approx(0.952579, abs=1e-6)
    assert item_statistics(rows)["P"].discrimination == pytest.approx(0.408248, abs=1e-6)


def test_everyone_correct_leaves_discrimination_undefined_without_dividing_by_zero():
    rows = [{"X": 1, "Y": y} for y in (1, 0, 1, 0, 1)]
    stats = item_statistics(rows)
    assert stats["X"].facility == 1.0
    assert stats["X"].discrimination is None  # no spread in the item
    assert [f.reason for f in stats["X"].flags] == ["too easy: 100% correct"]
    # Y varies, but its rest score (X) is the same for everyone: also undefined.
    assert stats["Y"].discrimination is None
    assert stats["Y"].facility == pytest.approx(0.6)
    assert stats["Y"].flags == ()


def test_everyone_with_the_same_partial_score_is_flagged_as_not_discriminating():
    rows = [{"Z": Decimal("0.5"), "W": w} for w in (1, 0, 1, 0, 1)]
    stats = item_statistics(rows)
    assert stats["Z"].discrimination is None
    assert [f.kind for f in stats["Z"].flags] == ["flat"]
    assert stats["Z"].flags[0].reason == "does not discriminate: everyone scored 50% on it"


def test_empty_and_single_learner_data_sets():
    assert item_statistics([]) == {}
    one = item_statistics([{"A": 1, "B": 0}])
    assert one["A"].responses == 1
    assert one["A"].discrimination is None and one["A"].upper_lower is None
    assert one["A"].flags == () and not one["A"].judged


def test_an_item_not_drawn_for_everyone_counts_only_its_own_responses():
    # Learners 4 and 5 were not given D (a pool draw): its statistics use three learners.
    rows = [{"D": 1, "E": 1}, {"D": 0, "E": 0}, {"D": 1, "E": 0}, {"E": 1}, {"E": 0}]
    stats = item_statistics(rows)
    assert stats["D"].responses == 3
    assert stats["D"].facility == pytest.approx(2 / 3)
    assert stats["E"].responses == 5


@pytest.mark.parametrize(
    ("responses", "facility", "r", "expected"),
    [
        (5, 0.19, 0.5, ["too hard: 19% correct"]),
        (5, 0.20, 0.20, []),  # the thresholds themselves are fine
        (5, 0.95, 0.20, []),
        (5, 0.96, 0.5, ["too easy: 96% correct"]),
        (5, 0.5, 0.05, ["does not discriminate: r = 0.05"]),
        (5, 0.5, -0.31, ["negative discrimination: r = -0.31; check the answer key"]),
        (
            5,
            0.1,
            -0.4,
            ["too hard: 10% correct", "negative discrimination: r = -0.40; check the answer key"],
        ),
        (4, 0.0, -0.9, []),  # too few responses to judge
        (5, 0.5, None, []),
    ],
)
def test_flag_thresholds(responses, facility, r, expected):
    assert [f.reason for f in flags_for(responses, facility, True, r)] == expected


def test_correlation_and_upper_lower_guard_their_edges():
    assert correlation([1, 1, 1], [0, 1, 2]) is None
    assert correlation([0, 1, 2], [5, 5, 5]) is None
    assert correlation([0, 1], [0, 1]) == pytest.approx(1.0)
    assert correlation([0, 1], [1, 0]) == pytest.approx(-1.0)
    assert upper_lower_index([1], [1]) is None
    # 10 learners: 27% = 2.7 -> groups of 3. Item right for the top three only: D = 1 - 0.
    item = [0, 0, 0, 0, 0, 0, 0, 1, 1, 1]
    assert upper_lower_index(item, list(range(10))) == pytest.approx(1.0)


def test_item_fractions_regrade_the_saved_responses_with_each_type():
    truefalse = QUESTION_TYPES["truefalse"].build_config({"answer": True})
    matching = QUESTION_TYPES["matching"].build_config(
        {
            "pairs": [
                {"left": "North", "right": "Cold"},
                {"left": "South", "right": "Warm"},
                {"left": "Desert", "right": "Dry"},
                {"left": "Sea", "right": "Wet"},
            ]
        }
    )
    right = QUESTION_TYPES["matching"].correct_response(matching)
    # Two of four pairs right: the first two kept, the last two swapped -> 2/4 = 0.5.
    answers = [r.split(":")[1] for r in right]
    half = right[:2] + [
        f"{right[2].split(':')[0]}:{answers[3]}",
        f"{right[3].split(':')[0]}:{answers[2]}",
    ]
    questions = {
        1: SimpleNamespace(qtype="truefalse", config=truefalse),
        2: SimpleNamespace(qtype="matching", config=matching),
        3: SimpleNamespace(qtype="truefalse", config=truefalse),
    }
    layout = [{"question_id": 1}, {"question_id": 2}, {"question_id": 3}, {"question_id": 99}]
    fractions = item_fractions(layout, {"1": ["true"], "2": half}, questions)
    # 3 was given but not answered: 0, as when it was graded; 99 no longer exists: left out.
    assert fractions == {1: Decimal(1), 2: Decimal("0.5"), 3: Decimal(0)}
    wrong = item_fractions(layout[:1], {"1": ["false"]}, questions)
    assert wrong == {1: Decimal(0)}
